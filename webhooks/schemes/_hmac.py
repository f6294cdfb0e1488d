"""The check most schemes share: an HMAC-SHA256 of some message, written in one header."""

from __future__ import annotations

from datetime import datetime

from ..crypto import Encoding, TimeUnit, decode_signature, equal, hmac_sha256, parse_unix, within_window
from ..request import RawRequest
from ..results import (
    Authentic,
    BadSignature,
    Malformed,
    MissingHeader,
    Rejected,
    SchemeOutcome,
    StaleTimestamp,
)


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
