"""Three orchestrations sharing one 25 req/s integration budget, simulated for 60 seconds.

Each caller loops: acquire one permit at its current time; if granted, wait exactly until the
slot, send the request (plus an optional dispatch delay), then ask again after the request's
service time; if queued, ask again at ``resetAt``. The provider's own accounting is checked with
a 1-second sliding window over the send times.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable

import pytest

from core.ratelimit import AcquireRequest, BudgetConfig, WindowLimit, acquire, new_state
from core.ratelimit.clock import US_PER_SECOND, from_us, to_us
from tests.ratelimit.support import T0_US, max_in_window

SECONDS = 60
LIMIT = 25


def simulate(
    config: BudgetConfig,
    callers: int = 3,
    service_s: float = 0.0,
    delay: Callable[[], float] = lambda: 0.0,
    operation: str = "fetch",
    permits: int = 1,
) -> list[int]:
    """Send times (µs) of every request issued before the end of the run."""
    state = new_state(config)
    end = T0_US + SECONDS * US_PER_SECOND
    queue = [(T0_US, caller) for caller in range(callers)]
    sent: list[int] = []
    asks = 0
    while queue:
        now, caller = heapq.heappop(queue)
        if now >= end:
            continue
        asks += 1
        ask = AcquireRequest(operation=operation, now=from_us(now), permits=permits, min_permits=1)
        state, check = acquire(state, ask)
        slot = max(now, to_us(check.reset_at))
        if check.allowed:
            sent.extend(slot + int(delay() * US_PER_SECOND) for _ in range(check.granted))
            heapq.heappush(queue, (slot + int(service_s * US_PER_SECOND), caller))
        else:
            assert check.queued, "fetch is safe: it is never rejected"
            heapq.heappush(queue, (slot, caller))
    assert asks < 20 * SECONDS * LIMIT  # no busy loop of asks
    return [t for t in sent if t < end]


def rate(sent: list[int]) -> float:
    return len(sent) / SECONDS / LIMIT


SALESFORCE = BudgetConfig(provider="salesforce", operation_defaults=False)


@pytest.mark.parametrize("service_s", [0.0, 0.04, 0.1])  # 3 callers can offer 30+/s
def test_exact_callers_reach_the_limit_without_exceeding_any_window(service_s: float) -> None:
    sent = simulate(SALESFORCE.model_copy(update={"margin_seconds": 0.0}), service_s=service_s)
    assert max_in_window(sent, 1.0) <= LIMIT
    assert rate(sent) >= 0.99


def test_batch_grants_fill_the_window_exactly() -> None:
    exact = SALESFORCE.model_copy(update={"margin_seconds": 0.0})
    sent = simulate(exact, service_s=0.04, permits=7)  # 7 does not divide 25: partial grants fill the rest
    assert max_in_window(sent, 1.0) <= LIMIT
    assert rate(sent) >= 0.99


def test_default_margin_keeps_ninety_percent() -> None:
    sent = simulate(SALESFORCE, service_s=0.04)
    assert max_in_window(sent, 1.0) <= LIMIT
    assert rate(sent) >= 0.94  # 25 per 1.05 s at most


def test_dispatch_delays_within_the_margin_never_break_the_provider_window() -> None:
    rng = random.Random(7)
    sent = simulate(SALESFORCE, service_s=0.04, delay=lambda: rng.uniform(0.0, SALESFORCE.margin_seconds))
    assert max_in_window(sent, 1.0) <= LIMIT
    assert rate(sent) >= 0.90


def test_delays_beyond_the_margin_are_what_the_margin_is_for() -> None:
    # The same run without a margin does crowd the provider's window: the margin is load-bearing.
    rng = random.Random(7)
    unsafe = SALESFORCE.model_copy(update={"margin_seconds": 0.0})
    sent = simulate(unsafe, service_s=0.04, delay=lambda: rng.uniform(0.0, SALESFORCE.margin_seconds))
    assert max_in_window(sent, 1.0) > LIMIT


def test_per_operation_minute_level_is_used_to_the_full() -> None:
    config = BudgetConfig(
        operation_defaults=False, operation_limits={"create": WindowLimit(permits=100, window_seconds=60.0)}
    )
    sent = simulate(config, service_s=0.05, operation="create")
    # One minute of a 100/min level: the first window's 100, and nothing more inside the minute.
    assert len(sent) == 100
    assert max_in_window(sent, 60.0) <= 100
