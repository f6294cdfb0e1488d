"""HubSpot webhook batches: a JSON array of ``{eventId, subscriptionType, objectId, occurredAt, ...}``.

https://developers.hubspot.com/docs/api/webhooks: ``subscriptionType`` is ``<object>.<change>``
(``contact.creation``, ``deal.propertyChange``, ``company.deletion``, ...).
"""

from __future__ import annotations

from typing import Any

from ..events import ParseContext, ParsedDelivery, WebhookEvent, iso_from_unix, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.hubspot import HubSpotConfig
from ._common import text


def parse(config: HubSpotConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per array item."""
    document = load_json(request.body)
    if not isinstance(document, list):
        return Malformed("HubSpot body is not a JSON array")
    events = []
    for item in document:
        event = _event(item, ctx)
        if event is None:
            return Malformed("HubSpot event lacks subscriptionType or objectId")
        events.append(event)
    return ParsedDelivery(events=tuple(events))


def _event(item: Any, ctx: ParseContext) -> WebhookEvent | None:
    if not isinstance(item, dict):
        return None
    subscription = text(item.get("subscriptionType"))
    object_id = text(item.get("objectId"))
    if not subscription or object_id is None:
        return None
    entity_type, _, change = subscription.partition(".")
    return ctx.event(
        event_type=subscription, entity_type=entity_type, entity_id=object_id,
        operation=operation_from_word(change), data=item,
        timestamp=iso_from_unix(item.get("occurredAt"), milliseconds=True),
        event_id=f"hubspot-event:{item['eventId']}" if text(item.get("eventId")) else None,
    )
