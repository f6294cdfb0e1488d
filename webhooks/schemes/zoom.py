"""Zoom: ``x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:{x-zm-request-timestamp}:{raw body}")>``.

https://developers.zoom.us/docs/api/webhooks/ and zoom/webhook-sample. The ``endpoint.url_validation``
handshake is signed like any event; it is answered only after the signature checks out (otherwise
the endpoint would hand out HMACs of attacker-chosen strings), with
``{"plainToken": ..., "encryptedToken": hex(HMAC-SHA256(secret token, plainToken))}``.
Zoom documents no replay window; five minutes is applied.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..request import RawRequest
from ..results import Challenge, Malformed, SchemeOutcome
from ._base import SchemeConfig, Tolerance
from ._hmac import check_v0
from ._json import json_object, string_field

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
VALIDATION_EVENT = "endpoint.url_validation"


class ZoomConfig(SchemeConfig):
    """The app's webhook Secret Token."""

    scheme: Literal["zoom"] = "zoom"
    secret_token: SecretStr | None = None
    tolerance_seconds: int = Tolerance


def check(config: ZoomConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify timestamp window and v0 signature; then answer the URL validation handshake."""
    return check_v0(
        request,
        config.secret_token,
        now,
        signature_header=SIGNATURE_HEADER,
        timestamp_header=TIMESTAMP_HEADER,
        tolerance_seconds=config.tolerance_seconds,
        unconfigured="no Zoom secret token configured",
        handshake=_url_validation,
    )


def encrypted_token(key: bytes, plain_token: str) -> str:
    """The handshake answer: hex HMAC-SHA256 of ``plainToken`` keyed with the secret token."""
    return hmac.new(key, plain_token.encode("utf-8"), hashlib.sha256).hexdigest()


def _url_validation(request: RawRequest, key: bytes) -> Challenge | Malformed | None:
    document = json_object(request.body)
    if string_field(document, "event") != VALIDATION_EVENT:
        return None
    plain = string_field(document, "payload", "plainToken")
    if plain is None:
        return Malformed("endpoint.url_validation without payload.plainToken")
    answer = {"plainToken": plain, "encryptedToken": encrypted_token(key, plain)}
    return Challenge(200, json.dumps(answer).encode("utf-8"), "application/json")


def event_id(config: ZoomConfig, request: RawRequest) -> str | None:
    """Zoom sends no stable event id; the body (with its ``event_ts``) is hashed instead."""
    return None
