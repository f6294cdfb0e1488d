"""Salesforce outbound messages (SOAP, up to 100 notifications) and relayed change events (JSON).

Outbound messages do not say whether the record was created or updated: they are upserts
(``update``). Change events name ``CREATE``/``UPDATE``/``DELETE``/``UNDELETE`` and may cover many
``recordIds``; gap and overflow events (``GAP_*``) mean changes were not captured one by one, so they
become a resync signal.
"""

from __future__ import annotations

from ..events import Operation, ParseContext, ParsedDelivery, SignalKind, WebhookEvent, iso_from_unix
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.salesforce import SalesforceConfig
from ..schemes.salesforce_cdc import ChangeEvent, change_events, dedup_key
from ..schemes.salesforce_soap import OutboundMessage, parse_outbound_message
from ._common import text

CHANGE_TYPES = {
    "CREATE": Operation.CREATE,
    "UPDATE": Operation.UPDATE,
    "UNDELETE": Operation.UPDATE,
    "DELETE": Operation.DELETE,
}


def parse(config: SalesforceConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """SOAP bodies as outbound messages, JSON bodies as change events."""
    if request.body.lstrip()[:1] == b"<":
        message = parse_outbound_message(request.body)
        if message is None:
            return Malformed("body is not a Salesforce outbound message")
        return _outbound(message, ctx)
    events = change_events(load_json(request.body))
    if events is None:
        return Malformed("body is not a list of Salesforce change events")
    return _changes(events, ctx)


def _outbound(message: OutboundMessage, ctx: ParseContext) -> ParsedDelivery | Malformed:
    events = []
    for item in message.notifications:
        record_id = item.fields.get("Id")
        if not record_id or not item.sobject_type:
            return Malformed("outbound message notification lacks sObject type or Id")
        data = {"fields": item.fields, "notificationId": item.notification_id, "actionId": message.action_id}
        events.append(ctx.event(
            event_type=f"{item.sobject_type}.outbound_message", entity_type=item.sobject_type,
            entity_id=record_id, operation=Operation.UPDATE, data=data,
            timestamp=item.fields.get("LastModifiedDate") or item.fields.get("SystemModstamp"),
            event_id=f"sf:{item.notification_id}",
        ))
    return ParsedDelivery(events=tuple(events))


def _changes(changes: list[ChangeEvent], ctx: ParseContext) -> ParsedDelivery | Malformed:
    events: list[WebhookEvent] = []
    signals = []
    for change in changes:
        header = change.header
        change_type, entity = text(header.get("changeType")), text(header.get("entityName"))
        record_ids = header.get("recordIds")
        if not change_type or not entity or not isinstance(record_ids, list):
            return Malformed("ChangeEventHeader lacks changeType, entityName or recordIds")
        if change_type.startswith("GAP_"):
            signals.append(ctx.signal(SignalKind.RESYNC, entityName=entity, changeType=change_type,
                                      recordIds=record_ids))
            continue
        operation = CHANGE_TYPES.get(change_type)
        if operation is None:
            return Malformed(f"unknown changeType {change_type!r}")
        timestamp = iso_from_unix(header.get("commitTimestamp"), milliseconds=True)
        data = {"header": header, "fields": change.fields}
        for record_id in record_ids:
            if text(record_id) is None:
                return Malformed("recordIds holds a non-string id")
            events.append(ctx.event(f"{entity}.{change_type.lower()}", entity, str(record_id), operation,
                                    data, timestamp, event_id=f"sf:{dedup_key(change)}:{record_id}"))
    return ParsedDelivery(tuple(events), tuple(signals))
