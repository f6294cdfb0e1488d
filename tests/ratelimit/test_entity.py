"""The budget entity through the real SDK wrapper, with protocol-shaped batches (§3)."""

from __future__ import annotations

import pytest

from core.ratelimit import BudgetCheck, BudgetConfig, BudgetState
from tests.ratelimit.entity_host import EntityHost
from tests.ratelimit.support import at

KEY = "t1:sf"


@pytest.fixture(scope="module")
def host_function():  # type: ignore[no-untyped-def]
    return EntityHost().function


@pytest.fixture
def host(host_function) -> EntityHost:  # type: ignore[no-untyped-def]
    return EntityHost(function=host_function)


def acquire_input(seconds: float, operation: str = "fetch", **extra: object) -> dict[str, object]:
    return {"operation": operation, "now": at(seconds).isoformat(), **extra}


def test_a_batch_configures_then_grants_and_reserves(host: EntityHost) -> None:
    config = BudgetConfig(provider="salesforce", operation_defaults=False).to_wire()
    results = host.run(KEY, [("configure", config)] + [("acquire", acquire_input(0.0))] * 26)
    assert [r.value for r in results if r.is_error] == []
    checks = [BudgetCheck.model_validate(r.value) for r in results[1:]]
    assert all(c.allowed and not c.queued and c.reset_at == at(0) for c in checks[:25])
    assert (checks[25].allowed, checks[25].queued, checks[25].reset_at) == (True, True, at(1.05))
    assert set(results[26].value) >= {"allowed", "queued", "remaining", "resetAt", "retryAfterSeconds"}
    state = BudgetState.model_validate(host.state(KEY))
    assert state.configured and state.daily is not None and state.daily.used == 26
    assert [count for _, count in state.levels[0].log] == [25, 1]


def test_state_persists_between_batches(host: EntityHost) -> None:
    host.call(KEY, "configure", BudgetConfig(provider="gong", operation_defaults=False).to_wire())
    for _ in range(3):
        host.call(KEY, "acquire", acquire_input(0.0))
    check = BudgetCheck.model_validate(host.call(KEY, "acquire", acquire_input(0.5)))
    assert (check.queued, check.reset_at) == (True, at(1.05))  # Gong: 3 per second


def test_an_invalid_operation_fails_alone_and_leaves_the_state(host: EntityHost) -> None:
    host.call(KEY, "acquire", acquire_input(0.0))
    before = host.state(KEY)
    batch = [
        ("acquire", acquire_input(0.0, permits=0)),
        ("launch", {}),
        ("get", None),
        ("acquire", {"now": "x"}),
    ]
    results = host.run(KEY, batch)
    assert [r.is_error for r in results] == [True, True, False, True]
    assert "permits" in results[0].value
    assert "launch" in results[1].value
    assert results[2].value == before
    assert host.state(KEY) == before


def test_observe_blocks_and_get_shows_it(host: EntityHost) -> None:
    host.call(KEY, "observe", {"now": at(0).isoformat(), "snapshot": {"retry_after": 20, "limited": True}})
    check = BudgetCheck.model_validate(host.call(KEY, "acquire", acquire_input(1.0)))
    assert (check.allowed, check.queued, check.reset_at, check.reason) == (False, True, at(20), "blocked")
    rejected = BudgetCheck.model_validate(host.call(KEY, "acquire", acquire_input(1.0, "delete")))
    assert (rejected.allowed, rejected.queued) == (False, False)
    snapshot = host.call(KEY, "get", None)
    assert snapshot["blockReason"] == "blocked" and snapshot["factor"] == 0.5


def test_release_through_the_entity(host: EntityHost) -> None:
    host.call(KEY, "configure", BudgetConfig(provider="gong", operation_defaults=False).to_wire())
    grant = BudgetCheck.model_validate(host.call(KEY, "acquire", acquire_input(0.0, permits=3)))
    slot, now = grant.reset_at.isoformat(), at(0.1).isoformat()
    give_back = {"operation": "fetch", "permits": 2, "slot": slot, "now": now}
    released = host.call(KEY, "release", give_back)
    assert released == {"released": 2}
    again = BudgetCheck.model_validate(host.call(KEY, "acquire", acquire_input(0.1, permits=2)))
    assert (again.queued, again.granted) == (False, 2)


def test_unconfigured_budgets_get_defaults_by_key(host: EntityHost) -> None:
    tenant = host.call("t1:*", "get", None)
    assert [(lv["name"], lv["permits"]) for lv in tenant["levels"]] == [("tenant/60s", 5000)]
    integration = host.call("t1:hubspot", "get", None)
    assert {lv["name"] for lv in integration["levels"]} == {
        "operation:create/60s", "operation:delete/60s", "operation:fetch/60s", "operation:update/60s"
    }
