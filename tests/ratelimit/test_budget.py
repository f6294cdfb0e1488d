"""acquire / release / configure of the budget state machine, table-driven where it fits."""

from __future__ import annotations

import pytest

from core.models.integration import Integration, RateLimitOverrides
from core.ratelimit import (
    AcquireRequest,
    BudgetCheck,
    BudgetConfig,
    BudgetState,
    ReleaseRequest,
    Risk,
    ThrottleReason,
    WindowLimit,
    acquire,
    configure,
    new_state,
    release,
)
from core.ratelimit.clock import to_us
from tests.ratelimit.support import T0, at

# 5 permits per second, no dispatch margin, no operation levels: easy numbers.
FIVE_PER_SECOND = BudgetConfig(
    windows=[WindowLimit(permits=5, window_seconds=1.0)], operation_defaults=False, margin_seconds=0.0
)


def ask(state: BudgetState, seconds: float = 0.0, operation: str = "fetch", **kw: object) -> tuple[
    BudgetState, BudgetCheck
]:
    return acquire(state, AcquireRequest.model_validate({"operation": operation, "now": at(seconds), **kw}))


def drain(state: BudgetState, count: int, seconds: float = 0.0, operation: str = "fetch") -> BudgetState:
    for _ in range(count):
        state, check = ask(state, seconds, operation)
        assert check.allowed and not check.queued
    return state


def test_grants_immediately_until_the_window_is_full() -> None:
    state = new_state(FIVE_PER_SECOND)
    remaining = []
    for _ in range(5):
        state, check = ask(state)
        assert (check.allowed, check.queued, check.granted, check.reset_at) == (True, False, 1, T0)
        remaining.append(check.remaining)
    assert remaining == [4, 3, 2, 1, 0]


def test_full_window_reserves_the_exact_next_slot_for_a_safe_operation() -> None:
    state = drain(new_state(FIVE_PER_SECOND), 5)
    state, check = ask(state, 0.25)
    assert (check.allowed, check.queued, check.granted) == (True, True, 1)
    assert check.reset_at == at(1.0)
    assert check.retry_after_seconds == pytest.approx(0.75)
    assert (check.reason, check.level) == (ThrottleReason.WINDOW, "integration/1s")
    # Concurrent callers queue behind it: five fit at 1.0 s, the sixth gets 2.0 s.
    slots = []
    for _ in range(5):
        state, check = ask(state, 0.25)
        slots.append(check.reset_at)
    assert slots == [at(1.0)] * 4 + [at(2.0)]


@pytest.mark.parametrize(
    ("operation", "risk", "expected"),
    [
        ("fetch", None, (True, True)),  # safe: slot reserved, wait for it
        ("update", None, (True, True)),
        ("create", None, (True, True)),
        ("delete", None, (False, False)),  # risky by default: rejected while throttled
        ("fetch", Risk.RISKY, (False, False)),  # the caller may mark anything risky
        ("delete", Risk.SAFE, (True, True)),
    ],
)
def test_queue_or_reject_by_risk(operation: str, risk: Risk | None, expected: tuple[bool, bool]) -> None:
    config = FIVE_PER_SECOND.model_copy(update={"risky_max_wait_seconds": 0.5})
    state = drain(new_state(config), 5)
    state, check = ask(state, 0.0, operation, risk=risk)
    assert (check.allowed, check.queued) == expected
    assert check.reset_at == at(1.0)
    if not check.allowed:
        assert check.granted == 0 and check.reason is ThrottleReason.WINDOW
        assert state.levels[0].log == [(to_us(T0), 5)]  # a rejection reserves nothing


def test_risky_operation_passes_when_the_wait_is_only_pacing() -> None:
    config = FIVE_PER_SECOND.model_copy(update={"risky_max_wait_seconds": 1.0})
    state = drain(new_state(config), 5)
    state, check = ask(state, 0.5, "delete")
    assert (check.allowed, check.queued, check.reset_at) == (True, True, at(1.0))


def test_beyond_the_reservation_horizon_nothing_is_held() -> None:
    config = FIVE_PER_SECOND.model_copy(update={"reserve_ahead_seconds": 1.5})
    state = drain(new_state(config), 5)
    for _ in range(5):  # fill the 1.0 s slot
        state, check = ask(state)
        assert check.allowed and check.reset_at == at(1.0)
    before = state.levels[0].log
    state, check = ask(state)
    assert (check.allowed, check.queued, check.granted, check.reset_at) == (False, True, 0, at(2.0))
    assert state.levels[0].log == before
    # Asking again at reset_at is granted at once.
    state, check = ask(state, 2.0)
    assert (check.allowed, check.queued, check.reset_at) == (True, False, at(2.0))


def test_batch_grants_what_fits_now_when_a_minimum_is_given() -> None:
    state = drain(new_state(FIVE_PER_SECOND), 3)
    state, check = ask(state, 0.0, permits=4, min_permits=1)
    assert (check.allowed, check.queued, check.granted, check.remaining) == (True, False, 2, 0)
    state, check = ask(state, 0.0, permits=4)  # all-or-nothing: 4 fit once the first 3 age out
    assert (check.granted, check.reset_at) == (4, at(1.0))


def test_batch_larger_than_the_level_is_cut_to_it() -> None:
    state, check = ask(new_state(FIVE_PER_SECOND), 0.0, permits=50)
    assert (check.allowed, check.granted) == (True, 5)


def test_operation_levels_only_count_their_operation() -> None:
    two_per_minute = WindowLimit(permits=2, window_seconds=60.0)
    config = BudgetConfig(operation_limits={"create": two_per_minute}, margin_seconds=0)
    state = new_state(config)
    state = drain(state, 2, operation="create")
    state, check = ask(state, 1.0, "create")
    assert (check.allowed, check.reset_at, check.level) == (False, at(60.0), "operation:create/60s")
    state, check = ask(state, 1.0, "update")
    assert (check.allowed, check.queued) == (True, False)


def test_seed_operation_defaults() -> None:
    state = new_state(BudgetConfig(margin_seconds=0))
    limits = {lv.name: lv.permits for lv in state.levels}
    assert limits == {
        "operation:create/60s": 100,
        "operation:delete/60s": 100,
        "operation:fetch/60s": 200,
        "operation:update/60s": 150,
    }
    state = drain(state, 200)
    state, check = ask(state, 30.0)
    assert (check.allowed, check.queued, check.reset_at) == (False, True, at(60.0))


def test_tenant_level_in_the_same_budget_counts_every_operation() -> None:
    config = BudgetConfig(
        operation_defaults=False, tenant_limit=WindowLimit(permits=3, window_seconds=60.0), margin_seconds=0
    )
    state = new_state(config)
    state = drain(state, 1, operation="fetch")
    state = drain(state, 1, operation="create")
    state = drain(state, 1, operation="update")
    state, check = ask(state, 10.0, "fetch")
    assert (check.queued, check.reset_at, check.level) == (True, at(60.0), "tenant/60s")


def test_provider_defaults_and_integration_overrides() -> None:
    sf = new_state(BudgetConfig(provider="salesforce"))
    assert [(lv.name, lv.permits) for lv in sf.levels if lv.adaptive] == [("integration/1s", 25)]
    assert sf.daily is not None and sf.daily.cap == 100_000
    dyn = new_state(BudgetConfig(provider="dynamics"))
    assert [(lv.name, lv.permits, lv.window_us) for lv in dyn.levels if lv.adaptive] == [
        ("integration/300s", 6_000, 300_000_000)
    ]
    overridden = new_state(
        BudgetConfig(
            provider="salesforce",
            rate_limits=RateLimitOverrides(
                requests_per_second=10, requests_per_day=500, operations_per_minute={"fetch": 1000}
            ),
        )
    )
    assert [(lv.name, lv.permits) for lv in overridden.levels if lv.adaptive] == [("integration/1s", 10)]
    assert overridden.daily is not None and overridden.daily.cap == 500
    assert {lv.name: lv.permits for lv in overridden.levels}["operation:fetch/60s"] == 1000


def test_daily_cap_stops_until_the_utc_day_boundary() -> None:
    config = BudgetConfig(operation_defaults=False, rate_limits=RateLimitOverrides(requests_per_day=3))
    state = drain(new_state(config), 3)
    state, check = ask(state, 5.0)
    midnight = T0.replace(hour=0) + (at(86_400) - T0)
    assert (check.allowed, check.queued, check.reason, check.reset_at) == (
        False, True, ThrottleReason.DAILY_CAP, midnight
    )
    state, check = ask(state, 5.0, "delete")
    assert (check.allowed, check.queued, check.reason) == (False, False, ThrottleReason.DAILY_CAP)
    state, check = acquire(state, AcquireRequest(operation="fetch", now=midnight))
    assert (check.allowed, check.queued) == (True, False)
    assert state.daily is not None and state.daily.used == 1


def test_not_before_pushes_the_slot() -> None:
    state, check = ask(new_state(FIVE_PER_SECOND), 0.0, not_before=at(0.3))
    assert (check.allowed, check.queued, check.reset_at) == (True, True, at(0.3))


def test_a_slot_after_not_after_is_not_reserved() -> None:
    state = drain(new_state(FIVE_PER_SECOND), 5)
    before = state.levels[0].log
    state, check = ask(state, 0.2, not_after=at(0.5))  # the earliest slot is 1.0
    assert (check.allowed, check.queued, check.granted, check.reset_at) == (False, True, 0, at(1.0))
    assert state.levels[0].log == before
    state, check = ask(state, 0.2, not_after=at(1.0))
    assert (check.allowed, check.queued, check.reset_at) == (True, True, at(1.0))


def test_a_late_caller_never_moves_the_clock_back() -> None:
    state = drain(new_state(FIVE_PER_SECOND), 5, seconds=10.0)
    state, check = ask(state, 9.0)  # a caller whose orchestration clock lags behind
    assert check.reset_at == at(11.0)
    assert state.clock_us == to_us(at(10.0))


def test_release_returns_unused_permits() -> None:
    state, check = ask(new_state(FIVE_PER_SECOND), 0.0, permits=5)
    give_back = ReleaseRequest(operation="fetch", permits=3, slot=check.reset_at, now=at(0.1))
    state, result = release(state, give_back)
    assert result.released == 3
    state, check = ask(state, 0.1, permits=3)
    assert (check.queued, check.granted) == (False, 3)


def test_release_after_the_window_passed_changes_nothing() -> None:
    state, first = ask(new_state(FIVE_PER_SECOND), 0.0, permits=2)
    state = drain(state, 3, seconds=1.5)
    give_back = ReleaseRequest(operation="fetch", permits=2, slot=first.reset_at, now=at(1.5))
    state, result = release(state, give_back)
    assert result.released == 0
    assert state.levels[0].log == [(to_us(at(1.5)), 3)]


def test_reconfigure_keeps_logs_and_the_day_count() -> None:
    config = BudgetConfig(provider="salesforce", operation_defaults=False, margin_seconds=0)
    state = drain(new_state(config), 20)
    slower = RateLimitOverrides(requests_per_second=10)
    state = configure(state, config.model_copy(update={"rate_limits": slower}))
    assert state.levels[0].permits == 10 and sum(c for _, c in state.levels[0].log) == 20
    assert state.daily is not None and state.daily.used == 20
    state, check = ask(state)
    assert (check.queued, check.reset_at) == (True, at(1.0))


def test_state_round_trips_through_json() -> None:
    state = drain(new_state(BudgetConfig(provider="hubspot")), 7)
    assert BudgetState.model_validate(state.to_wire()) == state


def test_config_from_an_integration() -> None:
    integration = Integration.model_validate({
        "provider": "salesforce",
        "connection": {"instanceUrl": "https://acme.my.salesforce.com"},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account",
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
        "rateLimits": {"requestsPerSecond": 20, "requestsPerDay": 50000},
    })
    state = new_state(BudgetConfig.for_integration(integration, margin_seconds=0.05))
    assert [(lv.name, lv.permits) for lv in state.levels if lv.adaptive] == [("integration/1s", 20)]
    assert state.daily is not None and state.daily.cap == 50_000
    assert state.config.margin_seconds == 0.05
