"""Google Pub/Sub push: ``Authorization: Bearer <OIDC JWT>``, RS256, verified against configured keys.

https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions. The token's ``aud`` must be the
configured audience and ``iss`` Google's; when a push service account is configured, ``email`` must be
it with ``email_verified`` true. Keys are configuration (kid -> JWK JSON as served at
https://www.googleapis.com/oauth2/v3/certs, or a PEM key or X.509 certificate as at ``/v1/certs``):
fetching and rotating them is not this module's job, so verification works offline and fails
closed when no key matches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ..crypto import equal_text
from ..request import RawRequest
from ..results import Authentic, BadSignature, NoSecretConfigured, Rejected, SchemeOutcome
from ._base import SchemeConfig
from ._json import json_object, string_field
from ._jwt import bearer_token, decode_rs256, rsa_public_key, unverified_kid

GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")


class PubSubConfig(SchemeConfig):
    """Audience and signing keys for a push subscription."""

    scheme: Literal["google_pubsub"] = "google_pubsub"
    audience: str | None = None
    public_keys: dict[str, str] = Field(default_factory=dict)
    issuers: tuple[str, ...] = GOOGLE_ISSUERS
    service_account_email: str | None = None
    leeway_seconds: int = Field(default=60, ge=0, le=600)


def check(config: PubSubConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify the push JWT: configured key by ``kid``, RS256, ``aud``, ``iss``, ``exp``, service account."""
    if not config.public_keys or not config.audience:
        return NoSecretConfigured("no Pub/Sub audience or public keys configured")
    token = bearer_token(request, "Authorization")
    if isinstance(token, Rejected):
        return token
    kid = unverified_kid(token)
    pem = config.public_keys.get(kid) if kid is not None else None
    key = rsa_public_key(pem) if pem is not None else None
    if key is None:
        return BadSignature("token kid matches no configured public key")
    claims = decode_rs256(
        token, key, now, leeway_seconds=config.leeway_seconds, audience=config.audience,
        issuers=config.issuers, require=("exp", "iat", "aud", "iss"),
    )
    if isinstance(claims, Rejected):
        return claims
    expected_email = config.service_account_email
    if expected_email is not None and not (
        equal_text(expected_email, claims.get("email") if isinstance(claims.get("email"), str) else None)
        and claims.get("email_verified") is True
    ):
        return BadSignature("token email is not the configured, verified push service account")
    return Authentic()


def event_id(config: PubSubConfig, request: RawRequest) -> str | None:
    """The Pub/Sub ``message.messageId`` (kept on redelivery)."""
    document = json_object(request.body)
    return string_field(document, "message", "messageId") or string_field(document, "message", "message_id")
