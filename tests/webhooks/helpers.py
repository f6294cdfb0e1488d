"""Shared builders for the webhook tests: requests, clocks, signatures computed independently."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from webhooks import RawRequest

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
URL = "https://castiel.example.com/api/webhooks/test/reg-1"


def at(unix_seconds: float) -> datetime:
    """A clock reading at ``unix_seconds``."""
    return datetime.fromtimestamp(unix_seconds, tz=UTC)


def request(
    body: bytes = b"", headers: dict[str, str] | None = None, method: str = "POST", url: str = URL
) -> RawRequest:
    return RawRequest.build(method, url, headers or {}, body)


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def hmac_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def hex_to_b64(hex_digest: str) -> str:
    """The same digest in the other encoding (for wrong-encoding cases)."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def b64_to_hex(b64_digest: str) -> str:
    return base64.b64decode(b64_digest).hex()
