"""Shopify: ``X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(app secret, raw body)>``; no timestamp.

Shopify/shopify-app-js ``lib/webhooks/validate.ts``; dedupe on ``X-Shopify-Webhook-Id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import Encoding
from ..request import RawRequest
from ..results import SchemeOutcome
from ._base import SchemeConfig
from ._hmac import check_body_hmac

SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
EVENT_ID_HEADER = "X-Shopify-Event-Id"


class ShopifyConfig(SchemeConfig):
    """The app's API secret (client secret)."""

    scheme: Literal["shopify"] = "shopify"
    secret: SecretStr | None = None


def check(config: ShopifyConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify the base64 HMAC of the raw body."""
    return check_body_hmac(
        request, config.secret, SIGNATURE_HEADER, Encoding.BASE64,
        unconfigured="no Shopify app secret configured",
    )


def event_id(config: ShopifyConfig, request: RawRequest) -> str | None:
    """``X-Shopify-Webhook-Id`` (kept across retries), else ``X-Shopify-Event-Id``."""
    return request.header(WEBHOOK_ID_HEADER) or request.header(EVENT_ID_HEADER)
