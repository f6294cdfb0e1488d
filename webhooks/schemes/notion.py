"""Notion: ``X-Notion-Signature: sha256=<hex HMAC-SHA256(verification_token, raw body)>``.

https://developers.notion.com/reference/webhooks. The first POST to a new subscription is unsigned
and carries ``{"verification_token": "secret_..."}``; an operator pastes that token into Notion to
activate the subscription, and every later event is signed with it. So:

- no token configured + a verification body: ``Challenge`` (200, empty) with ``captured_token`` for
  the route to store as pending for the registration (it becomes the key once the operator confirms);
- no token configured + anything else: ``NoSecretConfigured`` (fail closed);
- token configured: the signature is required on everything, verification bodies included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import Encoding, secret_bytes
from ..request import RawRequest
from ..results import Challenge, NoSecretConfigured, SchemeOutcome
from ._base import SchemeConfig
from ._hmac import check_signature_header
from ._json import json_object, string_field

SIGNATURE_HEADER = "X-Notion-Signature"
MAX_TOKEN_LENGTH = 512


class NotionConfig(SchemeConfig):
    """The subscription's verification token (None until the operator confirms it)."""

    scheme: Literal["notion"] = "notion"
    verification_token: SecretStr | None = None


def check(config: NotionConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Capture the verification token while none is configured; afterwards require the signature."""
    key = secret_bytes(config.verification_token)
    if key is None:
        captured = _verification_token(request)
        if captured is None:
            return NoSecretConfigured("no Notion verification token configured")
        return Challenge(200, b"", "text/plain; charset=utf-8", captured_token=SecretStr(captured))
    return check_signature_header(request, SIGNATURE_HEADER, key, request.body, Encoding.HEX, "sha256=")


def _verification_token(request: RawRequest) -> str | None:
    if request.header(SIGNATURE_HEADER) is not None:
        return None
    document = json_object(request.body)
    token = string_field(document, "verification_token")
    if document is None or token is None or len(document) != 1:
        return None
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isprintable():
        return None
    return token


def event_id(config: NotionConfig, request: RawRequest) -> str | None:
    """The event's ``id``."""
    return string_field(json_object(request.body), "id")
