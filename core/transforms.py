"""Typed value transforms for field mapping: pure functions ``value -> value``.

Each raises ``TransformError`` with a reason a person can act on. ``None`` never reaches a
transform (the mapper passes it through). ``datetime`` always produces ISO 8601 in UTC with
``Z``, so the same instant from any provider maps (and hashes) to the same string.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from core.models.enums import Transform

_TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
# Epoch numbers above this are milliseconds (HubSpot), below it seconds: 1e11 s is the year 5138.
_EPOCH_MILLIS_ABOVE = 1e11


class TransformError(ValueError):
    """A value could not be transformed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    raise TransformError(f"cannot convert {type(value).__name__} to string")


def _parse_number(text: str) -> int | float:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        return float(stripped)
    except ValueError:
        raise TransformError(f"{text!r} is not a number") from None


def to_number(value: Any) -> int | float:
    """ints stay ints (no precision loss), floats stay floats, numeric strings are parsed."""
    if isinstance(value, bool):
        raise TransformError("a boolean is not a number")
    if isinstance(value, str):
        value = _parse_number(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TransformError(f"{value} is not a finite number")
        return value
    if isinstance(value, int):
        return value
    raise TransformError(f"cannot convert {type(value).__name__} to number")


def to_integer(value: Any) -> int:
    number = to_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise TransformError(f"{number} is not a whole number")
        return int(number)
    return number


def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise TransformError(f"{value!r} is not a boolean")


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; fractional seconds only when present."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def parse_datetime(value: Any) -> datetime:
    """Read an instant from ISO 8601 text (``Z``, ``+0000``, date only) or epoch seconds/milliseconds.

    Naive values are taken as UTC.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_epoch(float(value))
    elif isinstance(value, str):
        moment = _from_text(value.strip())
    else:
        raise TransformError(f"cannot convert {type(value).__name__} to datetime")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    if abs(seconds) > _EPOCH_MILLIS_ABOVE:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise TransformError(f"{seconds} is out of range for a timestamp") from None


def _from_text(text: str) -> datetime:
    if text.lstrip("-").isdigit():
        return _from_epoch(float(text))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise TransformError(f"{text!r} is not an ISO 8601 datetime") from None


def to_datetime(value: Any) -> str:
    return format_utc(parse_datetime(value))


def _text_only(name: str, fn: Callable[[str], str]) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        if not isinstance(value, str):
            raise TransformError(f"{name} needs text, got {type(value).__name__}")
        return fn(value)

    return apply


TRANSFORMS: dict[Transform, Callable[[Any], Any]] = {
    Transform.STRING: to_string,
    Transform.NUMBER: to_number,
    Transform.INTEGER: to_integer,
    Transform.BOOLEAN: to_boolean,
    Transform.DATETIME: to_datetime,
    Transform.LOWERCASE: _text_only("lowercase", str.lower),
    Transform.UPPERCASE: _text_only("uppercase", str.upper),
    Transform.TRIM: _text_only("trim", str.strip),
}
"""Each transform by name; every function takes a non-None value."""
