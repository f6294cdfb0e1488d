"""Gong automation-rule webhooks: ``{"callData": {"metaData": {"id", "started", ...}, ...}, "isTest"}``.

https://help.gong.io/hc/en-us/articles/360042061791 (payload sent to webhooks). A rule fires when a
processed call matches it, so every delivery is a call that is new to us: ``call.created``.
"""

from __future__ import annotations

from ..events import Operation, ParseContext, ParsedDelivery
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.gong import GongConfig
from ._common import dig, object_or_malformed, text


def parse(config: GongConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One call event per delivery."""
    document = object_or_malformed(load_json(request.body), "Gong")
    if isinstance(document, Malformed):
        return document
    call_id = text(dig(document, "callData.metaData.id"))
    if call_id is None:
        return Malformed("Gong payload lacks callData.metaData.id")
    return ParsedDelivery(events=(ctx.event(
        event_type="call.created", entity_type="call", entity_id=call_id, operation=Operation.CREATE,
        data=document, timestamp=text(dig(document, "callData.metaData.started")),
    ),))
