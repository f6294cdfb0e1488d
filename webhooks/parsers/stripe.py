"""Stripe events: ``{"id", "type": "customer.updated", "created", "data": {"object": {"id", "object"}}}``.

https://docs.stripe.com/api/events/object.
"""

from __future__ import annotations

from ..events import ParseContext, ParsedDelivery, iso_from_unix, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.stripe import StripeConfig
from ._common import dig, object_or_malformed, text


def parse(config: StripeConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per delivery; the entity is ``data.object``."""
    document = object_or_malformed(load_json(request.body), "Stripe")
    if isinstance(document, Malformed):
        return document
    event_type = text(document.get("type"))
    entity_id = text(dig(document, "data.object.id"))
    if not event_type or entity_id is None:
        return Malformed("Stripe event lacks type or data.object.id")
    entity_type = text(dig(document, "data.object.object")) or event_type.split(".")[0]
    return ParsedDelivery(events=(ctx.event(
        event_type=event_type, entity_type=entity_type, entity_id=entity_id,
        operation=operation_from_word(event_type.rsplit(".", 1)[-1]), data=document,
        timestamp=iso_from_unix(document.get("created")),
    ),))
