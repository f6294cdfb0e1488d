"""Microsoft Graph notification collections: change notifications and lifecycle notifications.

``changeType`` is ``created``/``updated``/``deleted``; ``resourceData`` (``@odata.type``, ``id``) names
the record, else the last segment of ``resource``. Lifecycle notifications
(``lifecycleEvent``: ``reauthorizationRequired``, ``subscriptionRemoved``, ``missed``) become signals
(microsoft-graph-docs-contrib ``concepts/change-notifications-lifecycle-events.md``).
"""

from __future__ import annotations

from typing import Any

from ..events import ParseContext, ParsedDelivery, Signal, SignalKind, WebhookEvent, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import object_field
from ..schemes.msgraph import GraphConfig, notifications_of
from ._common import text

LIFECYCLE = {
    "reauthorizationRequired": SignalKind.REAUTHORIZE,
    "subscriptionRemoved": SignalKind.SUBSCRIPTION_REMOVED,
    "missed": SignalKind.RESYNC,
}


def parse(config: GraphConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """Change notifications to events, lifecycle notifications to signals."""
    notifications = notifications_of(request.body)
    if notifications is None:
        return Malformed('body is not {"value": [notification, ...]}')
    events: list[WebhookEvent] = []
    signals: list[Signal] = []
    for item in notifications:
        lifecycle = item.get("lifecycleEvent")
        if lifecycle is not None:
            kind = LIFECYCLE.get(lifecycle) if isinstance(lifecycle, str) else None
            if kind is None:
                return Malformed("unknown Graph lifecycleEvent")
            subscription = item.get("subscriptionId")
            signals.append(ctx.signal(kind, subscriptionId=subscription, lifecycleEvent=lifecycle))
            continue
        event = _event(item, ctx)
        if event is None:
            return Malformed("Graph notification lacks changeType or resource")
        events.append(event)
    return ParsedDelivery(tuple(events), tuple(signals))


def _event(item: dict[str, Any], ctx: ParseContext) -> WebhookEvent | None:
    change = text(item.get("changeType"))
    resource = text(item.get("resource"))
    if not change or not resource:
        return None
    resource_data = object_field(item, "resourceData")
    odata_type = text(resource_data.get("@odata.type")) or ""
    segments = [s for s in resource.split("/") if s]
    entity_type = odata_type.rsplit(".", 1)[-1].lower() or (segments[-2].lower() if len(segments) > 1 else "")
    entity_id = text(resource_data.get("id")) or segments[-1]
    # The notification (clientState included) is kept for the orchestration; drop the secret first.
    data = {k: v for k, v in item.items() if k != "clientState"}
    return ctx.event(
        event_type=f"{entity_type or 'resource'}.{change}", entity_type=entity_type or "resource",
        entity_id=entity_id, operation=operation_from_word(change), data=data,
    )
