"""Sliding-window accounting over a level's grant log.

A grant of ``n`` permits at slot ``s`` occupies the level for ``span = window + margin``: the
provider may see those requests any time in ``[s, s + margin]``, so for every provider window
``(t - window, t]`` to hold at most ``permits`` requests, every span-long window over the slots
must. Slots are handed out in non-decreasing order per level, which makes "fits at ``t``" monotone
in ``t`` and lets the earliest fitting slot be found in one pass over the log.
"""

from __future__ import annotations

import math

from core.ratelimit.state import Level


def effective_permits(level: Level, factor: float) -> int:
    """The level's permits after the adaptive slow-down (never below one)."""
    if not level.adaptive or factor >= 1.0:
        return level.permits
    return max(1, math.floor(level.permits * factor))


def last_slot(level: Level) -> int:
    """The latest slot granted on this level (0 when none)."""
    return level.log[-1][0] if level.log else 0


def used_at(level: Level, t: int, span: int) -> int:
    """Permits in the span-long window ending at ``t``: slots in ``(t - span, t]``."""
    return sum(count for slot, count in level.log if t - span < slot <= t)


def earliest_fit(level: Level, need: int, start: int, span: int, factor: float) -> int:
    """Earliest ``t >= start`` (``start`` at or after the last slot) where ``need`` more permits fit."""
    allowed = effective_permits(level, factor) - need
    in_window = [(slot, count) for slot, count in level.log if slot > start - span]
    total = sum(count for _, count in in_window)
    if total <= allowed:
        return start
    # Let the oldest grants age out one by one; the window drops a grant at slot + span.
    for slot, count in in_window:
        total -= count
        if total <= allowed:
            return slot + span
    return start  # unreachable while need <= effective permits: the emptied window always fits


def record(level: Level, slot: int, permits: int, max_entries: int) -> None:
    """Log a grant (``slot`` at or after the last one), compacting the log if it grew too long."""
    if level.log and level.log[-1][0] == slot:
        level.log[-1] = (slot, level.log[-1][1] + permits)
    else:
        level.log.append((slot, permits))
    while len(level.log) > max_entries:
        _merge_closest(level)


def _merge_closest(level: Level) -> None:
    # Moving permits to a *later* slot keeps every future check conservative: they stay counted
    # until the later slot ages out. Merging the closest pair moves them the least.
    gaps = [level.log[i + 1][0] - level.log[i][0] for i in range(len(level.log) - 1)]
    i = gaps.index(min(gaps))
    later_slot, later_count = level.log[i + 1]
    level.log[i : i + 2] = [(later_slot, later_count + level.log[i][1])]


def prune(level: Level, now: int, span: int) -> None:
    """Drop grants that can no longer share a window with any slot at or after ``now``."""
    level.log = [(slot, count) for slot, count in level.log if slot > now - span]


def release(level: Level, slot: int, permits: int) -> int:
    """Take back up to ``permits`` from the grant at ``slot`` (or the later entry it was merged into)."""
    for i, (entry_slot, count) in enumerate(level.log):
        if entry_slot >= slot:
            taken = min(count, permits)
            if taken == count:
                del level.log[i]
            else:
                level.log[i] = (entry_slot, count - taken)
            return taken
    return 0
