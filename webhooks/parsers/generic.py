"""The generic scheme's parser: JSON events whose fields are located by configured dot paths."""

from __future__ import annotations

from typing import Any

from ..events import ParseContext, ParsedDelivery, WebhookEvent, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.generic_hmac import GenericHmacConfig, JsonFields
from ._common import dig, text


def parse(config: GenericHmacConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per JSON object (the body, the top-level list, or the list at ``fields.events``)."""
    document = load_json(request.body)
    fields = config.fields
    items = dig(document, fields.events) if fields.events else document
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return Malformed("body holds no JSON event object or list")
    events = []
    for item in items:
        event = _event(item, fields, ctx)
        if event is None:
            return Malformed(f"an event lacks {fields.event_type!r} or {fields.entity_id!r}")
        events.append(event)
    return ParsedDelivery(events=tuple(events))


def _event(item: Any, fields: JsonFields, ctx: ParseContext) -> WebhookEvent | None:
    if not isinstance(item, dict):
        return None
    event_type, entity_id = text(dig(item, fields.event_type)), text(dig(item, fields.entity_id))
    if not event_type or entity_id is None:
        return None
    entity_type = text(dig(item, fields.entity_type)) if fields.entity_type else None
    action = text(dig(item, fields.operation)) if fields.operation else event_type.rsplit(".", 1)[-1]
    return ctx.event(
        event_type=event_type, entity_type=entity_type or fields.default_entity_type, entity_id=entity_id,
        operation=operation_from_word(action or ""), data=item,
        timestamp=text(dig(item, fields.timestamp)) if fields.timestamp else None,
    )
