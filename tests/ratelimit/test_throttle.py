"""orchestrators.throttle inside real SDK orchestrators, replayed episode by episode against the
real entity function: staggered slots across orchestrations, the tenant budget, queue-or-reject."""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df
import pytest

from core.ratelimit import BudgetConfig, WindowLimit, tenant_budget_config
from core.ratelimit.clock import to_us
from orchestrators.throttle import (
    PermitRequest,
    TenantLease,
    acquire_permits,
    configure_budget,
    release_lease,
    report_limits,
)
from tests.ratelimit.entity_host import EntityHost
from tests.ratelimit.replay_host import ReplayHost
from tests.ratelimit.support import T0, at, max_in_window

test_bp = df.Blueprint()


@test_bp.orchestration_trigger(context_name="context")
def throttled_calls(context: df.DurableOrchestrationContext) -> Generator[Any, Any, list[dict[str, Any]]]:
    """Configure (optionally), report limits (optionally), then acquire ``count`` times."""
    job = context.get_input(expected_type=dict)
    if job.get("config"):
        yield from configure_budget(context, "t1", job["integration"], BudgetConfig.model_validate(job["config"]))
    if job.get("observe"):
        report_limits(context, "t1", job["integration"], job["observe"])
    results = []
    lease = TenantLease(job["lease"]) if job.get("lease") else None
    for _ in range(job["count"]):
        request = PermitRequest(
            tenant_id="t1",
            integration_id=job["integration"],
            operation=job["operation"],
            use_tenant_budget=job.get("tenant", True),
        )
        check = yield from acquire_permits(context, request, lease)
        results.append({"allowed": check.allowed, "queued": check.queued, "reason": check.reason,
                        "sentAt": context.current_utc_datetime.isoformat()})
    if lease is not None:
        release_lease(context, "t1", job["operation"], lease)
    return results


@pytest.fixture(scope="module")
def orchestrator() -> Callable[..., str]:
    app = df.DFApp()
    app.register_functions(test_bp)
    (function,) = app.get_functions()
    return function.get_user_function()


@pytest.fixture(scope="module")
def entity_function() -> Callable[..., str]:
    return EntityHost().function


@pytest.fixture
def host(orchestrator: Callable[..., str], entity_function: Callable[..., str]) -> ReplayHost:
    return ReplayHost(orchestrator, EntityHost(function=entity_function))


SALESFORCE = BudgetConfig(provider="salesforce", operation_defaults=False).to_wire()


def sent_times(host: ReplayHost) -> list[int]:
    times = []
    for inst in host.instances.values():
        assert inst.done, inst.instance_id
        times += [to_us(datetime.fromisoformat(r["sentAt"])) for r in inst.output if r["allowed"]]
    return times


def test_three_orchestrations_share_one_budget_with_staggered_slots(host: ReplayHost) -> None:
    for name in "abc":
        job = {"integration": "sf", "operation": "fetch", "count": 20, "config": SALESFORCE, "tenant": False}
        host.start(name, job, T0)
    host.run()
    times = sorted(sent_times(host))
    assert len(times) == 60
    assert max_in_window(times, 1.0) <= 25
    # The ideal schedule for 25/s with the 0.05 s default margin: 25 at once, 25 at 1.05 s, 10 at 2.1 s
    # (plus the 1 ms the entity takes to answer on this host).
    bursts = [round((t - times[0]) / 1_050_000) for t in times]
    assert [bursts.count(i) for i in range(3)] == [25, 25, 10]
    assert times[-1] - times[0] < 2_100_000 + 10_000


def test_the_tenant_budget_binds_across_integrations(host: ReplayHost) -> None:
    fifteen_per_minute = tenant_budget_config(WindowLimit(permits=15, window_seconds=60))
    host.entities.call("t1:*", "configure", fifteen_per_minute.to_wire())
    host.start("a", {"integration": "sf", "operation": "fetch", "count": 12, "config": SALESFORCE}, T0)
    host.start("b", {"integration": "hs", "operation": "fetch", "count": 12, "config": SALESFORCE}, T0)
    host.run()
    times = sorted(sent_times(host))
    assert len(times) == 24
    assert max_in_window(times, 60.0) <= 15
    # Each integration alone would have finished at once (25/s); the shared tenant level made the
    # last nine wait a minute plus the tenant margin.
    assert times[14] < to_us(at(1)) and times[15] >= to_us(at(65.1))


def test_unused_tenant_permits_go_back_when_the_integration_queues(host: ReplayHost) -> None:
    config = BudgetConfig(
        operation_defaults=False, operation_limits={"create": WindowLimit(permits=2, window_seconds=60.0)}
    ).to_wire()
    host.start("a", {"integration": "sf", "operation": "create", "count": 3, "config": config}, T0)
    host.run()
    times = sorted(sent_times(host))
    assert times[2] - times[0] >= 60_000_000  # the third create waited for the minute level
    tenant = host.entities.state("t1:*")
    assert sum(count for _, count in tenant["levels"][0]["log"]) == 3  # the queued ask's permit came back


def test_delete_is_rejected_while_blocked_and_fetch_waits(host: ReplayHost) -> None:
    blocked = {"retry_after": 30, "limited": True}
    host.start("del", {"integration": "sf", "operation": "delete", "count": 1, "config": SALESFORCE,
                       "observe": blocked}, T0)
    host.run()
    (result,) = host.instances["del"].output
    assert (result["allowed"], result["queued"], result["reason"]) == (False, False, "blocked")
    host.start("fetch", {"integration": "sf", "operation": "fetch", "count": 1}, T0 + timedelta(seconds=1))
    host.run()
    (result,) = host.instances["fetch"].output
    assert result["allowed"] and datetime.fromisoformat(result["sentAt"]) >= at(30)


def _tenant_asks(host: ReplayHost, instance_id: str) -> int:
    return sum(1 for e in host.instances[instance_id].history
               if e["EventType"] == 14 and e["InstanceId"].endswith("@t1:*") and e["Name"] == "acquire")


def test_a_tenant_lease_asks_the_tenant_once_per_lease_and_gives_the_rest_back(host: ReplayHost) -> None:
    host.start("a", {"integration": "sf", "operation": "fetch", "count": 20, "config": SALESFORCE, "lease": 8}, T0)
    host.start("b", {"integration": "sf", "operation": "fetch", "count": 20, "config": SALESFORCE}, T0)
    host.run()
    assert _tenant_asks(host, "a") == 3  # 8 + 8 + 4 of the last lease's 8
    assert _tenant_asks(host, "b") == 20
    times = sorted(sent_times(host))
    assert len(times) == 40 and max_in_window(times, 1.0) <= 25
    tenant = host.entities.state("t1:*")
    assert sum(count for _, count in tenant["levels"][0]["log"]) == 40  # the lease's last 4 came back


def test_a_lease_older_than_the_tenant_horizon_is_renewed(host: ReplayHost) -> None:
    # 1 request/s for 12 requests: the integration slots drift past the first lease's 5 s horizon.
    config = BudgetConfig(operation_defaults=False, windows=[WindowLimit(permits=1, window_seconds=1.0)]).to_wire()
    host.start("a", {"integration": "slow", "operation": "fetch", "count": 12, "config": config, "lease": 100}, T0)
    host.run()
    times = sorted(sent_times(host))
    assert len(times) == 12
    tenant = host.entities.state("t1:*")
    slots = [slot for slot, _ in tenant["levels"][0]["log"]]
    assert _tenant_asks(host, "a") >= 3  # 12 s of requests need at least three 5 s leases
    for sent in times:  # every request lies within the horizon of a tenant slot before it
        assert any(0 <= sent - slot <= 5_000_000 for slot in slots)
    assert sum(count for _, count in tenant["levels"][0]["log"]) == 12
