"""Stripe-style: ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]``, HMAC-SHA256 of ``"{t}.{raw body}"``.

stripe/stripe-python ``stripe/_webhook.py``: any ``v1`` may match (one per active secret while a
secret is rolled); every other scheme (the test-mode ``v0``) is ignored so it cannot downgrade the
check. The default tolerance is 300 s; unlike the SDK, far-future timestamps are refused too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import Encoding, decode_signature, equal, hmac_sha256, parse_unix, secret_bytes, within_window
from ..request import RawRequest
from ..results import (
    Authentic,
    BadSignature,
    Malformed,
    MissingHeader,
    NoSecretConfigured,
    SchemeOutcome,
    StaleTimestamp,
)
from ._base import SchemeConfig, Tolerance
from ._json import json_object, string_field

SIGNATURE_HEADER = "Stripe-Signature"


class StripeConfig(SchemeConfig):
    """The endpoint's signing secret (``whsec_...``, used as its UTF-8 string)."""

    scheme: Literal["stripe"] = "stripe"
    secret: SecretStr | None = None
    tolerance_seconds: int = Tolerance


def _parse_header(value: str) -> tuple[str | None, list[str]]:
    timestamp: str | None = None
    signatures: list[str] = []
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if not sep:
            continue
        if key == "t" and timestamp is None:
            timestamp = val
        elif key == "v1":
            signatures.append(val)
    return timestamp, signatures


def check(config: StripeConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify the timestamp window, then accept if any ``v1`` signature matches."""
    key = secret_bytes(config.secret)
    if key is None:
        return NoSecretConfigured("no Stripe endpoint secret configured")
    header = request.header(SIGNATURE_HEADER)
    if header is None or not header.strip():
        return MissingHeader(f"{SIGNATURE_HEADER} header is absent")
    raw_ts, signatures = _parse_header(header)
    timestamp = parse_unix(raw_ts) if raw_ts is not None else None
    if raw_ts is None or timestamp is None:
        return Malformed(f"{SIGNATURE_HEADER} has no valid t= timestamp")
    if not signatures:
        return BadSignature(f"{SIGNATURE_HEADER} carries no v1 signature")
    if not within_window(timestamp, now, config.tolerance_seconds):
        return StaleTimestamp(f"{SIGNATURE_HEADER} t= is outside the {config.tolerance_seconds}s window")
    expected = hmac_sha256(key, raw_ts.encode("ascii") + b"." + request.body)
    # Check every candidate (no early exit), so timing does not say which one matched.
    matches = [equal(expected, decode_signature(candidate, Encoding.HEX)) for candidate in signatures]
    if not any(matches):
        return BadSignature(f"no v1 signature in {SIGNATURE_HEADER} matches the body")
    return Authentic()


def event_id(config: StripeConfig, request: RawRequest) -> str | None:
    """The event's ``id`` (``evt_...``), the same on every retry."""
    return string_field(json_object(request.body), "id")
