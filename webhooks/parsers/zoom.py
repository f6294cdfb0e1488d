"""Zoom events: ``{"event": "meeting.started", "event_ts": <ms>, "payload": {"object": {...}}}``.

https://developers.zoom.us/docs/api/webhooks/. The entity is the event's prefix (``meeting``,
``recording``, ``user``); its id is ``payload.object.uuid`` when present (meeting ids are reused
by recurring meetings, uuids are per instance), else ``payload.object.id``.
"""

from __future__ import annotations

from ..events import ParseContext, ParsedDelivery, iso_from_unix, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.zoom import ZoomConfig
from ._common import dig, object_or_malformed, text


def parse(config: ZoomConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per delivery."""
    document = object_or_malformed(load_json(request.body), "Zoom")
    if isinstance(document, Malformed):
        return document
    name = text(document.get("event"))
    entity_id = text(dig(document, "payload.object.uuid")) or text(dig(document, "payload.object.id"))
    if not name or entity_id is None:
        return Malformed("Zoom event lacks event or payload.object id")
    entity_type, _, action = name.partition(".")
    return ParsedDelivery(events=(ctx.event(
        event_type=name, entity_type=entity_type, entity_id=entity_id,
        operation=operation_from_word(action), data=document,
        timestamp=iso_from_unix(document.get("event_ts"), milliseconds=True),
    ),))
