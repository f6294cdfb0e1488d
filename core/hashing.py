"""Stable content hashes of mapped data, for content-hash dedup and echo suppression.

The hash is SHA-256 (hex) over canonical JSON: sorted keys, no whitespace, UTF-8, and
integral floats written as integers. The last rule matters because document stores do not
all keep ``1.0`` and ``1`` apart, so a record read back from the store hashes the same as
when it was written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.transforms import format_utc

_PLAIN = frozenset({str, int, bool, type(None)})


def _normalise(value: Any) -> Any:
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict or isinstance(value, Mapping):
        # The plain-type check keeps this cheap for the common flat record.
        return {k: v if type(v) in _PLAIN else _normalise(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _normalise(v) for v in value]
    return value


def _fallback(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


# One encoder for the process: json.dumps would build a new one per call when given options.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_fallback)


def canonical_json(data: Any) -> str:
    """The canonical JSON text of ``data`` (see the module docstring)."""
    return _ENCODER.encode(_normalise(data))


def content_hash(data: Any) -> str:
    """SHA-256 hex of ``canonical_json(data)``; equal for data that is equal as JSON."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
