"""GitHub events: the event name is ``X-GitHub-Event``; the record sits under its singular key.

https://docs.github.com/webhooks/webhook-events-and-payloads: ``issues`` -> ``issue``,
``pull_request`` -> ``pull_request``, ``repository`` -> ``repository``. ``ping`` carries nothing.
"""

from __future__ import annotations

from ..events import ParseContext, ParsedDelivery, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.github import GitHubConfig
from ._common import object_or_malformed, text

EVENT_HEADER = "X-GitHub-Event"


def parse(config: GitHubConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per delivery; ``ping`` yields none."""
    name = request.header(EVENT_HEADER)
    if not name:
        return Malformed(f"{EVENT_HEADER} header is absent")
    document = object_or_malformed(load_json(request.body), "GitHub")
    if isinstance(document, Malformed):
        return document
    if name == "ping":
        return ParsedDelivery()
    for key in (name, name.removesuffix("s"), "repository"):
        record = document.get(key)
        if isinstance(record, dict) and text(record.get("id")) is not None:
            break
    else:
        return Malformed(f"GitHub {name} payload names no record with an id")
    action = text(document.get("action")) or "updated"
    return ParsedDelivery(events=(ctx.event(
        event_type=f"{name}.{action}", entity_type=key, entity_id=str(record["id"]),
        operation=operation_from_word(action), data=document, timestamp=text(record.get("updated_at")),
    ),))
