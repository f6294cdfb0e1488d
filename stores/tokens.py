"""Opaque continuation tokens for keyset pagination (SQLite) and shared time formatting."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")


def encode_after(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()


def decode_after(token: str) -> str:
    """The id to continue after; ``ValueError`` for a token this store did not issue."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["after"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValueError("invalid continuation token") from exc


_WRAPPED = "ct1."


def wrap_token(raw: str) -> str:
    """A backend's own continuation token made URL-safe and recognisable."""
    return _WRAPPED + base64.urlsafe_b64encode(raw.encode()).decode()


def unwrap_token(token: str) -> str:
    """The backend token inside ``wrap_token``'s output; ``ValueError`` for anything else."""
    if not token.startswith(_WRAPPED):
        raise ValueError("invalid continuation token")
    try:
        return base64.urlsafe_b64decode(token[len(_WRAPPED):].encode()).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("invalid continuation token") from exc


def wire_time(value: datetime) -> str:
    """A datetime as the models serialise it (ISO 8601, UTC, ``Z``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
