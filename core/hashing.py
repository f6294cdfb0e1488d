"""Stable content hashes of mapped data, for content-hash dedup and echo suppression.

The hash is SHA-256 (hex) over canonical JSON: sorted keys, no whitespace, UTF-8, and
integral floats written as integers. The last rule matters because document stores do not
all keep ``1.0`` and ``1`` apart, so a record read back from the store hashes the same as
when it was written.

Every page hashes each record, so the text comes from orjson (several times faster than ``json``). Its
output is the same text as ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
except for floats below 1e-4 (``1e-05`` against ``0.00001``) and integers beyond 64 bits: data holding
those is written by ``json``, so every hash stays what it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from core.transforms import format_utc

_PLAIN = frozenset({str, int, bool, type(None)})
_TINY = 1e-4  # below this, orjson and json write floats differently


class _NeedsJson(Exception):
    """Raised by ``_normalise`` for data whose text orjson would write differently from ``json``."""


def _normalise(value: Any) -> Any:
    kind = type(value)
    if kind is float:
        if value.is_integer():
            return int(value)
        if -_TINY < value < _TINY:
            raise _NeedsJson
        return value
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
_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _canonical_bytes(data: Any) -> bytes:
    try:
        return orjson.dumps(_normalise(data), default=_fallback, option=_ORJSON)
    except (_NeedsJson, TypeError):  # tiny floats; big integers or non-string keys (orjson refuses them)
        return _ENCODER.encode(_json_normalise(data)).encode("utf-8")


def _json_normalise(data: Any) -> Any:
    try:
        return _normalise(data)
    except _NeedsJson:
        return _normalise_all(data)


def _normalise_all(value: Any) -> Any:
    """``_normalise`` without the orjson guard (for the ``json`` path)."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict or isinstance(value, Mapping):
        return {k: _normalise_all(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_normalise_all(v) for v in value]
    return value


def canonical_json(data: Any) -> str:
    """The canonical JSON text of ``data`` (see the module docstring)."""
    return _canonical_bytes(data).decode("utf-8")


def content_hash(data: Any) -> str:
    """SHA-256 hex of ``canonical_json(data)``; equal for data that is equal as JSON."""
    return hashlib.sha256(_canonical_bytes(data)).hexdigest()
