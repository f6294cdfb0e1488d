"""The page activities' collector pause: restored when the last overlapping activity ends, never turned on
when it was off, and a backlog of uncollected objects still gets collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from activities.sync_pages import _GcPause


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_overlapping_pauses_resume_once_the_last_ends() -> None:
    gc.enable()
    pause = _GcPause()
    first, second = pause.paused(), pause.paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_an_error_still_resumes_and_a_disabled_collector_stays_off() -> None:
    gc.enable()
    pause = _GcPause()
    with pytest.raises(RuntimeError), pause.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    with pause.paused():
        pass
    assert not gc.isenabled()


def test_a_backlog_is_collected_while_activities_keep_overlapping() -> None:
    gc.enable()
    pause = _GcPause(backlog=1_000)
    outer = pause.paused()
    outer.__enter__()
    for _ in range(300):  # unreachable cycles: only the collector frees them
        a: list[object] = []
        a.append(a)
    cycles = []
    for _ in range(5_000):
        b: list[object] = []
        b.append(b)
        cycles.append(b)
    del cycles, a, b
    before = gc.get_count()[0]
    with pause.paused():
        pass
    assert before > 1_000 and gc.get_count()[0] < before
    outer.__exit__(None, None, None)
    assert gc.isenabled()
