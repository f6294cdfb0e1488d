"""A page activity's freed memory goes back to the system (``activities.heap``)."""

from __future__ import annotations

import sys
import threading

import pytest

from activities.heap import _TRIM, release_free_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(_TRIM is None or not sys.platform.startswith("linux"), reason="glibc's malloc_trim only")
def test_freed_pages_of_a_thread_arena_are_returned() -> None:
    kept: list[bytes] = []

    def page() -> None:  # a page's worth of objects on a thread of its own, one in 32 still referenced after it
        objects = [bytes(4000) + bytes([n % 256]) for n in range(40_000)]  # ~160 MB, each malloc'd
        kept.extend(objects[::32])

    worker = threading.Thread(target=page)
    worker.start()
    worker.join()
    before = _rss_mb()
    release_free_memory()
    after = _rss_mb()
    assert before - after > 100, (before, after)  # the scattered live objects keep the arena from shrinking itself
    assert len(kept) == 1250
