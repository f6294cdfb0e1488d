"""Notion events: ``{"id", "timestamp", "type": "page.created", "entity": {"id", "type"}, "data"}``.

https://developers.notion.com/reference/webhooks-events-delivery.
"""

from __future__ import annotations

from ..events import ParseContext, ParsedDelivery, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.notion import NotionConfig
from ._common import dig, object_or_malformed, text


def parse(config: NotionConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per delivery."""
    document = object_or_malformed(load_json(request.body), "Notion")
    if isinstance(document, Malformed):
        return document
    event_type = text(document.get("type"))
    entity_id = text(dig(document, "entity.id"))
    if not event_type or entity_id is None:
        return Malformed("Notion event lacks type or entity.id")
    prefix, _, action = event_type.partition(".")
    return ParsedDelivery(events=(ctx.event(
        event_type=event_type, entity_type=text(dig(document, "entity.type")) or prefix,
        entity_id=entity_id, operation=operation_from_word(action), data=document,
        timestamp=text(document.get("timestamp")),
    ),))
