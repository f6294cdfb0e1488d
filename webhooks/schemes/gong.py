"""Gong automation-rule webhooks with "Signed JWT header": RS256 JWT verified with the rule's public key.

https://help.gong.io/docs/create-a-webhook-rule. The token arrives in ``Authorization`` (with or
without ``Bearer``). Its ``body_sha256`` claim (hex SHA-256 of the raw body) binds the token to this
body and its ``webhook_url`` claim to this endpoint, so a captured token cannot be replayed with
another body or against another route. Both claims are required by default: Gong's claim set is
documented only by third parties, so a registration can relax them explicitly, never silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ..crypto import equal_text, sha256_hex
from ..request import RawRequest
from ..results import Authentic, BadSignature, NoSecretConfigured, Rejected, SchemeOutcome
from ._base import SchemeConfig
from ._json import json_object, string_field
from ._jwt import bearer_token, decode_rs256, rsa_public_key


class GongConfig(SchemeConfig):
    """The rule's public key (PEM, or the bare base64 Gong shows) and which claims to insist on."""

    scheme: Literal["gong"] = "gong"
    public_key: str | None = None
    header: str = "Authorization"
    webhook_url: str | None = None
    require_body_hash: bool = True
    require_webhook_url: bool = True
    leeway_seconds: int = Field(default=60, ge=0, le=600)


def check(config: GongConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify the JWT signature, then bind it to the body and the URL."""
    if not config.public_key:
        return NoSecretConfigured("no Gong public key configured")
    key = rsa_public_key(config.public_key)
    if key is None:
        return NoSecretConfigured("the configured Gong public key is not an RSA public key")
    token = bearer_token(request, config.header)
    if isinstance(token, Rejected):
        return token
    claims = decode_rs256(token, key, now, leeway_seconds=config.leeway_seconds)
    if isinstance(claims, Rejected):
        return claims
    body_hash = claims.get("body_sha256")
    body_ok = isinstance(body_hash, str) and equal_text(sha256_hex(request.body), body_hash.lower())
    if (body_hash is not None or config.require_body_hash) and not body_ok:
        return BadSignature("token body_sha256 does not match the body")
    url = claims.get("webhook_url")
    url_ok = isinstance(url, str) and equal_text(config.webhook_url or request.url, url)
    if (url is not None or config.require_webhook_url) and not url_ok:
        return BadSignature("token webhook_url does not match this endpoint")
    return Authentic()


def event_id(config: GongConfig, request: RawRequest) -> str | None:
    """The call id (``callData.metaData.id``)."""
    call_id = string_field(json_object(request.body), "callData", "metaData", "id")
    return f"gong-call:{call_id}" if call_id else None
