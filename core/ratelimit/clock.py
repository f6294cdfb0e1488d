"""Time as integer microseconds since the epoch (UTC).

Budget state keeps times as integers so that window arithmetic is exact: a float epoch would make
``slot + window`` and ``t - window`` round differently and a permit could fall on both sides of
a window edge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(value: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is read as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def from_us(value: int) -> datetime:
    """The aware UTC datetime of ``to_us`` output."""
    return _EPOCH + timedelta(microseconds=value)


def seconds_to_us(seconds: float) -> int:
    """A duration in seconds as whole microseconds, rounded up so waits never come out short."""
    whole = int(seconds * US_PER_SECOND)
    return whole + 1 if whole < seconds * US_PER_SECOND else whole


def day_start(value_us: int) -> int:
    """Start of the UTC day holding ``value_us`` (daily quotas reset at the UTC day boundary)."""
    return value_us - value_us % US_PER_DAY
