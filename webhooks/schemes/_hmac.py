"""The check most schemes share: an HMAC-SHA256 of some message, written in one header.

Two whole schemes recur with only names changed, so they are here too: the HMAC of the raw body alone
(GitHub, Shopify) and the ``v0`` scheme of a timestamped body followed by an endpoint handshake (Slack, Zoom).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import SecretStr

from ..crypto import Encoding, TimeUnit, decode_signature, equal, hmac_sha256, parse_unix, secret_bytes, within_window
from ..request import RawRequest
from ..results import (
    Authentic,
    BadSignature,
    Challenge,
    Malformed,
    MissingHeader,
    NoSecretConfigured,
    Rejected,
    SchemeOutcome,
    StaleTimestamp,
)

Handshake = Callable[[RawRequest, bytes], Challenge | Malformed | None]
"""A provider's endpoint check: its answer when an authentic request is one (given the key), else None."""


def check_signature_header(
    request: RawRequest,
    header: str,
    key: bytes,
    message: bytes,
    encoding: Encoding,
    prefix: str = "",
) -> SchemeOutcome:
    """Compare ``header`` (``prefix`` + encoded MAC) with HMAC-SHA256(key, message) in constant time."""
    value = request.header(header)
    if value is None or not value.strip():
        return MissingHeader(f"{header} header is absent")
    value = value.strip()
    if prefix and not value.startswith(prefix):
        return BadSignature(f"{header} does not start with {prefix!r}")
    provided = decode_signature(value[len(prefix):], encoding)
    if not equal(hmac_sha256(key, message), provided):
        return BadSignature(f"{header} does not match the body")
    return Authentic()


def signed_timestamp(
    request: RawRequest, header: str, now: datetime, tolerance_seconds: int, unit: TimeUnit = TimeUnit.SECONDS
) -> str | Rejected:
    """The timestamp header's value as sent (it is part of the signed message), once it is known to
    be an integer within ``tolerance_seconds`` of ``now``."""
    raw = request.header(header)
    if raw is None:
        return MissingHeader(f"{header} header is absent")
    timestamp = parse_unix(raw, unit)
    if timestamp is None:
        return Malformed(f"{header} is not a Unix timestamp")
    if not within_window(timestamp, now, tolerance_seconds):
        return StaleTimestamp(f"{header} is outside the {tolerance_seconds}s window")
    return raw.strip()


def check_body_hmac(
    request: RawRequest, secret: SecretStr | None, header: str, encoding: Encoding, prefix: str = "", *,
    unconfigured: str,
) -> SchemeOutcome:
    """``header`` is ``prefix`` + the encoded HMAC-SHA256(secret, raw body); no secret fails closed."""
    key = secret_bytes(secret)
    if key is None:
        return NoSecretConfigured(unconfigured)
    return check_signature_header(request, header, key, request.body, encoding, prefix)


def check_v0(
    request: RawRequest,
    secret: SecretStr | None,
    now: datetime,
    *,
    signature_header: str,
    timestamp_header: str,
    tolerance_seconds: int,
    unconfigured: str,
    handshake: Handshake,
) -> SchemeOutcome:
    """``signature_header: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{raw body}")>`` with the timestamp header
    within the window; then, and only then (else the endpoint would hand out HMACs of chosen strings), the
    provider's ``handshake`` answers its endpoint check. No secret fails closed (``unconfigured``)."""
    key = secret_bytes(secret)
    if key is None:
        return NoSecretConfigured(unconfigured)
    raw_ts = signed_timestamp(request, timestamp_header, now, tolerance_seconds)
    if isinstance(raw_ts, Rejected):
        return raw_ts
    message = b"v0:" + raw_ts.encode("ascii") + b":" + request.body
    outcome = check_signature_header(request, signature_header, key, message, Encoding.HEX, "v0=")
    if not isinstance(outcome, Authentic):
        return outcome
    return handshake(request, key) or outcome
