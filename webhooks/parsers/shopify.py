"""Shopify: the topic header (``orders/create``, ``customers/update``...) names entity and change.

https://shopify.dev/docs/api/webhooks; the body is the resource itself.
"""

from __future__ import annotations

from ..events import ParseContext, ParsedDelivery, operation_from_word
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import load_json
from ..schemes.shopify import ShopifyConfig
from ._common import object_or_malformed, text

TOPIC_HEADER = "X-Shopify-Topic"


def parse(config: ShopifyConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """One event per delivery."""
    topic = request.header(TOPIC_HEADER)
    if not topic or "/" not in topic:
        return Malformed(f"{TOPIC_HEADER} header is absent or not <resource>/<action>")
    document = object_or_malformed(load_json(request.body), "Shopify")
    if isinstance(document, Malformed):
        return document
    entity_id = text(document.get("id"))
    if entity_id is None:
        return Malformed("Shopify payload has no id")
    resource, _, action = topic.partition("/")
    return ParsedDelivery(events=(ctx.event(
        event_type=topic, entity_type=resource, entity_id=entity_id, operation=operation_from_word(action),
        data=document,
        timestamp=request.header("X-Shopify-Triggered-At") or text(document.get("updated_at")),
    ),))
