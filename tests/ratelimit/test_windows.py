"""The sliding-window log arithmetic, table-driven."""

from __future__ import annotations

import pytest

from core.ratelimit import windows
from core.ratelimit.state import Level

S = 1_000_000  # one second in microseconds


def level(permits: int, log: list[tuple[int, int]], adaptive: bool = False) -> Level:
    return Level(name="l", permits=permits, window_us=S, adaptive=adaptive, log=list(log))


@pytest.mark.parametrize(
    ("permits", "log", "need", "start", "expected"),
    [
        (5, [], 1, 10 * S, 10 * S),  # empty log: now
        (5, [(10 * S, 4)], 1, 10 * S, 10 * S),  # one permit left in the window
        (5, [(10 * S, 5)], 1, 10 * S, 11 * S),  # full: the burst ages out one window later
        (5, [(10 * S, 2), (10 * S + S // 2, 3)], 1, 11 * S, 11 * S),  # the 10 s grant aged out at 11 s
        (5, [(10 * S, 2), (10 * S + S // 2, 3)], 2, 10 * S + S // 2, 11 * S),  # need 2: the first 2 age out
        (5, [(10 * S, 2), (10 * S + S // 2, 3)], 3, 10 * S + S // 2, 11 * S + S // 2),  # need 3: both must
        (5, [(9 * S, 5)], 5, 10 * S, 10 * S),  # whole window free again exactly at 9 s + 1 s
    ],
)
def test_earliest_fit(permits: int, log: list[tuple[int, int]], need: int, start: int, expected: int) -> None:
    lv = level(permits, log)
    assert windows.earliest_fit(lv, need, start, S, 1.0) == expected
    # And it is a real fit: after recording, the window ending at the slot holds at most `permits`.
    windows.record(lv, expected, need, 64)
    assert windows.used_at(lv, expected, S) <= permits


def test_earliest_fit_is_the_earliest() -> None:
    lv = level(3, [(0, 1), (S // 4, 1), (S // 2, 1)])
    slot = windows.earliest_fit(lv, 2, S // 2, S, 1.0)
    assert slot == S // 4 + S
    assert windows.used_at(lv, slot - 1, S) + 2 > 3  # one microsecond earlier does not fit


@pytest.mark.parametrize(("permits", "factor", "adaptive", "expected"), [
    (25, 1.0, True, 25), (25, 0.5, True, 12), (25, 0.01, True, 1), (25, 0.5, False, 25),
])
def test_effective_permits(permits: int, factor: float, adaptive: bool, expected: int) -> None:
    assert windows.effective_permits(level(permits, [], adaptive), factor) == expected


def test_compaction_is_conservative() -> None:
    lv = level(100, [])
    for i in range(20):
        windows.record(lv, i * 1000 + (i % 3) * 10, 1, 8)
    assert len(lv.log) == 8
    assert sum(c for _, c in lv.log) == 20
    # Permits only ever move later, so any window ending at or after the last slot counts at least
    # as many as the exact log would.
    exact = [i * 1000 + (i % 3) * 10 for i in range(20)]
    last = lv.log[-1][0]
    for end in range(last, last + S, 997):
        assert windows.used_at(lv, end, S) >= sum(1 for t in exact if end - S < t <= end)


def test_release_takes_back_from_the_grant_or_its_merged_successor() -> None:
    lv = level(10, [(S, 3), (2 * S, 4)])
    assert windows.release(lv, S, 2) == 2
    assert lv.log == [(S, 1), (2 * S, 4)]
    assert windows.release(lv, S + 1, 9) == 4  # merged into the 2 s entry: at most what it holds
    assert lv.log == [(S, 1)]
    assert windows.release(lv, 3 * S, 1) == 0


def test_prune_keeps_only_grants_that_can_still_share_a_window() -> None:
    lv = level(10, [(S, 1), (2 * S, 1), (3 * S, 1)])
    windows.prune(lv, 3 * S, S)
    assert lv.log == [(3 * S, 1)]
