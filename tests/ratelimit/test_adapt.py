"""observe: Retry-After and limit errors block, low remaining slows down, daily usage stops."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models.integration import RateLimitOverrides
from core.ratelimit import (
    AcquireRequest,
    BudgetCheck,
    BudgetConfig,
    BudgetState,
    LimitObservation,
    ObserveRequest,
    ThrottleReason,
    WindowLimit,
    acquire,
    new_state,
    observe,
    worth_reporting,
)
from core.ratelimit.budget import current_factor
from core.ratelimit.clock import to_us
from tests.ratelimit.support import T0, at

CONFIG = BudgetConfig(
    windows=[WindowLimit(permits=10, window_seconds=1.0)], operation_defaults=False, margin_seconds=0.0
)
NEXT_MIDNIGHT = T0.replace(hour=0) + timedelta(days=1)


def seen(state: BudgetState, seconds: float, **snapshot: object) -> BudgetState:
    return observe(state, ObserveRequest.model_validate({"now": at(seconds), "snapshot": snapshot}))


def ask(state: BudgetState, seconds: float, operation: str = "fetch") -> tuple[BudgetState, BudgetCheck]:
    return acquire(state, AcquireRequest(operation=operation, now=at(seconds)))


@pytest.mark.parametrize(
    ("snapshot", "blocked_until"),
    [
        ({"retry_after": 30}, at(30)),  # Retry-After, seconds
        ({"retryAfter": 2.5, "limited": True}, at(2.5)),  # camelCase works too
        ({"limited": True, "reset_at": at(12).isoformat()}, at(12)),  # 429 with a reset time
        ({"limited": True}, at(1)),  # 429 without any hint: the default back-off
        ({"remaining": 0, "limit": 100, "window_seconds": 10}, at(10)),  # window spent: wait it out
        ({"limited": True, "daily_used": 100, "daily_limit": 100}, NEXT_MIDNIGHT),  # Salesforce 403 daily
    ],
)
def test_limit_signals_block_the_budget(snapshot: dict[str, object], blocked_until: object) -> None:
    state = seen(new_state(CONFIG), 0, **snapshot)
    state, check = ask(state, 0.5)
    assert (check.allowed, check.queued, check.granted) == (False, True, 0)  # never reserved while blocked
    assert check.reset_at == blocked_until
    assert check.reason in (ThrottleReason.BLOCKED, ThrottleReason.DAILY_CAP)
    state, check = ask(state, 0.5, "delete")
    assert (check.allowed, check.queued) == (False, False)


def test_block_lifts_at_its_time_and_a_shorter_one_does_not_shorten_it() -> None:
    state = seen(new_state(CONFIG), 0, retry_after=5)
    state = seen(state, 1, retry_after=1)
    assert state.blocked_until_us == to_us(at(5))
    state, check = ask(state, 5)
    assert (check.allowed, check.queued, check.reset_at) == (True, False, at(5))
    assert state.block_reason is None


def test_healthy_headers_change_nothing() -> None:
    state = seen(new_state(CONFIG), 0, remaining=80, limit=100, daily_used=10, daily_limit=1000)
    assert (state.blocked_until_us, state.factor) == (0, 1.0)
    state, check = ask(state, 0)
    assert (check.allowed, check.queued) == (True, False)


def test_low_remaining_slows_down_then_recovers() -> None:
    state = seen(new_state(CONFIG), 0, remaining=5, limit=100)
    assert state.factor == 0.5
    for _ in range(5):
        state, check = ask(state, 0)
        assert not check.queued
    state, check = ask(state, 0)
    assert (check.queued, check.reset_at) == (True, at(1))  # 10/s became 5/s
    assert current_factor(state, to_us(at(30))) == pytest.approx(1.0)  # 0.5 + 30 s / 60 s
    state = seen(state, 0, remaining=1, limit=100)
    assert state.factor == pytest.approx(0.25)


def test_slow_down_never_goes_below_the_floor() -> None:
    state = new_state(CONFIG)
    for _ in range(20):
        state = seen(state, 0, limited=True)
    assert state.factor == pytest.approx(0.1)


def test_daily_usage_from_the_provider_stops_at_the_cap() -> None:
    config = CONFIG.model_copy(update={"rate_limits": RateLimitOverrides(requests_per_day=100_000)})
    state = seen(new_state(config), 0, daily_used=99_999, daily_limit=100_000)
    state, check = ask(state, 0)
    assert (check.allowed, check.granted) == (True, 1)
    state, check = ask(state, 0)
    assert (check.allowed, check.queued, check.reason, check.reset_at) == (
        False, True, ThrottleReason.DAILY_CAP, NEXT_MIDNIGHT
    )


def test_daily_reserve_stops_short_of_the_cap() -> None:
    config = CONFIG.model_copy(update={"daily_reserve": 50})
    state = seen(new_state(config), 0, daily_used=949, daily_limit=1000)  # cap learnt from headers
    state, check = ask(state, 0)
    assert check.allowed
    state, check = ask(state, 0)
    assert (check.allowed, check.reason) == (False, ThrottleReason.DAILY_CAP)


def test_provider_limit_tighter_than_configured_lowers_the_level() -> None:
    state = seen(new_state(CONFIG), 0, remaining=5, limit=6, window_seconds=1.0)
    assert state.levels[0].permits == 6
    looser = seen(new_state(CONFIG), 0, remaining=50, limit=60, window_seconds=1.0)
    assert looser.levels[0].permits == 10


def test_observation_accepts_an_adapter_limit_snapshot_dump() -> None:
    snapshot = {"provider": "salesforce", "remaining": None, "limit": None, "window_seconds": None,
                "reset_at": None, "retry_after": None, "daily_used": 10, "daily_limit": 100}
    state = seen(new_state(CONFIG), 0, **snapshot)
    assert state.daily is not None and (state.daily.used, state.daily.cap) == (10, 100)


def test_a_block_stays_the_reason_when_a_full_window_ends_after_it() -> None:
    state = new_state(CONFIG)
    for _ in range(10):
        state, _check = ask(state, 0)
    state = seen(state, 0.1, retry_after=0.5)  # blocked until 0.6 s; the window frees at 1.0 s
    state, check = ask(state, 0.2)
    assert (check.allowed, check.queued, check.reason, check.reset_at) == (False, True, "blocked", at(1.0))
    state, check = ask(state, 0.2, "delete")
    assert (check.allowed, check.queued, check.reason) == (False, False, "blocked")


@pytest.mark.parametrize(
    ("snapshot", "response_no", "expected"),
    [
        ({"daily_used": 10, "daily_limit": 100_000}, 0, True),  # the first of a series
        ({"daily_used": 10, "daily_limit": 100_000}, 3, False),  # nothing new in between
        ({"daily_used": 10, "daily_limit": 100_000}, 20, True),  # every tenth
        ({"limited": True}, 3, True),
        ({"retry_after": 1}, 3, True),
        ({"remaining": 5, "limit": 100}, 3, True),  # under a tenth of the window left
        ({"remaining": 50, "limit": 100}, 3, False),
        ({"remaining": 0}, 3, True),
        ({"daily_used": 95_000, "daily_limit": 100_000}, 3, True),  # the daily quota nearly spent
    ],
)
def test_worth_reporting_under_pressure_or_every_tenth(snapshot: dict[str, object], response_no: int,
                                                        expected: bool) -> None:
    assert worth_reporting(LimitObservation.model_validate(snapshot), response_no) is expected
