"""Time sources: an injectable clock, and the strictly increasing millisecond stamps of record changes."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Wall-clock seconds since the epoch; tests pass a `ManualClock` to avoid sleeping."""

    def time(self) -> float: ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class StampSource:
    """Hands out modification stamps (epoch ms), strictly increasing even when the wall clock is not.

    Incremental cursors rely on every modification getting a later stamp than every earlier one.
    """

    def __init__(self, clock: Clock, floor_ms: int = 0) -> None:
        self._clock = clock
        self._last = floor_ms

    def raise_floor(self, floor_ms: int) -> None:
        """Guarantee future stamps exceed `floor_ms` (used after generating historical data)."""
        self._last = max(self._last, floor_ms)

    def next(self) -> int:
        self._last = max(int(self._clock.time() * 1000), self._last + 1)
        return self._last


@functools.lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return f"{datetime.fromtimestamp(days * 86_400, UTC):%Y-%m-%d}"


_SECONDS: dict[int, str] = {}


def _second(seconds: int) -> str:
    # Formatting through datetime costs microseconds; pages of records share seconds, so cache them.
    text = _SECONDS.get(seconds)
    if text is None:
        if len(_SECONDS) > 200_000:
            _SECONDS.clear()
        days, rest = divmod(seconds, 86_400)
        hours, rest = divmod(rest, 3_600)
        text = _SECONDS[seconds] = f"{_day(days)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return text


def salesforce_datetime(ms: int) -> str:
    """`2026-01-01T00:00:00.000+0000`, the format Salesforce returns."""
    return f"{_second(ms // 1000)}.{ms % 1000:03d}+0000"


def iso_datetime(ms: int) -> str:
    """`2026-01-01T00:00:00.000Z`, the format HubSpot returns."""
    return f"{_second(ms // 1000)}.{ms % 1000:03d}Z"


def parse_datetime_ms(text: str) -> int:
    """Parse ISO 8601 (`Z`, `+00:00` or Salesforce's `+0000`, optional fraction) into epoch ms."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = f"{value[:-2]}:{value[-2:]}"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return round(dt.timestamp() * 1000)
