"""Primitives shared by the schemes: HMAC, signature decoding, constant-time equality, time windows.

Every comparison of secret-derived values goes through ``hmac.compare_digest`` on bytes, so
timing does not reveal how many leading bytes matched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime
from enum import StrEnum

from pydantic import SecretStr


class Encoding(StrEnum):
    """How a signature is written in its header."""

    HEX = "hex"
    BASE64 = "base64"


class TimeUnit(StrEnum):
    """Unit of a Unix timestamp header (HubSpot v3 sends milliseconds)."""

    SECONDS = "seconds"
    MILLISECONDS = "milliseconds"


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """Raw HMAC-SHA256 digest (``hmac.digest`` is the one-shot C path, several times cheaper than ``hmac.new``)."""
    return hmac.digest(key, message, "sha256")


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 (the body-hash fallback for event ids)."""
    return hashlib.sha256(data).hexdigest()


def secret_bytes(secret: SecretStr | None) -> bytes | None:
    """The secret as UTF-8 bytes, or None when unset or empty (both mean: fail closed)."""
    if secret is None:
        return None
    value = secret.get_secret_value()
    return value.encode("utf-8") if value else None


def decode_signature(value: str, encoding: Encoding) -> bytes | None:
    """Decode a signature as written in a header; None when it is not valid in that encoding."""
    try:
        if encoding is Encoding.HEX:
            return bytes.fromhex(value)
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return None


def equal(expected: bytes, provided: bytes | None) -> bool:
    """Constant-time equality; a missing value never matches."""
    return provided is not None and hmac.compare_digest(expected, provided)


def equal_text(expected: str, provided: str | None) -> bool:
    """Constant-time equality of two strings (tokens, client states), compared as UTF-8 bytes."""
    if provided is None:
        return False
    # Header values may carry lone surrogates (undecodable bytes); they must compare unequal, not raise.
    return hmac.compare_digest(expected.encode("utf-8"), provided.encode("utf-8", "surrogatepass"))


def parse_unix(value: str, unit: TimeUnit = TimeUnit.SECONDS) -> float | None:
    """A Unix timestamp header as seconds; None when it is not an integer."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 16:
        return None
    seconds = float(int(text))
    return seconds / 1000.0 if unit is TimeUnit.MILLISECONDS else seconds


def within_window(timestamp: float, now: datetime, tolerance_seconds: int) -> bool:
    """True when ``timestamp`` is at most ``tolerance_seconds`` from ``now``, in either direction.

    Future timestamps are bounded too (clock skew is allowed for, a far-future replay is not).
    """
    return abs(now.timestamp() - timestamp) <= tolerance_seconds
