"""Shared helpers for the rate-limit tests: a fixed epoch, second offsets and window checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ratelimit.clock import US_PER_SECOND, to_us

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
T0_US = to_us(T0)


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def max_in_window(times_us: list[int], window_s: float) -> int:
    """The most requests any provider window of ``window_s`` holds, for both edge conventions:
    ``(t - w, t]`` (look-back) and ``[t, t + w)`` (look-ahead)."""
    times = sorted(times_us)
    width = int(window_s * US_PER_SECOND)
    best = 0
    lo = 0
    for hi, t in enumerate(times):  # windows (t - w, t]
        while times[lo] <= t - width:
            lo += 1
        best = max(best, hi - lo + 1)
    hi = 0
    for lo, t in enumerate(times):  # windows [t, t + w)
        while hi < len(times) and times[hi] < t + width:
            hi += 1
        best = max(best, hi - lo)
    return best
