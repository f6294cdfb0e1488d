"""`writeback_integration`: one drainer per integration pushes its outbox in order, within its budget.

The instance id is derived from the integration (``writeback_instance_id``), so a second trigger
while one runs joins it instead of starting another. Each round reads the next due entries (ids only),
then walks them in order in runs of one operation: creates and updates ask the integration's
rate-limit entity for as many permits as the run has (safe operations: queued answers are waited out
on durable timers) and push what was granted in one activity; each delete asks for one permit as a
risky operation and, when rejected while throttled, stays queued until the budget's ``resetAt`` with
the reason visible in the outbox. When nothing is due the drainer waits on a timer for the earliest
waiting entry (bounded), else it ends; the sweeper or the route starts it again when work arrives.
``continue_as_new`` every few batches keeps the history bounded.

`writeback_requeue` is what a write-back dead letter's retry starts: it puts the entry back.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from itertools import groupby
from typing import Any

import azure.durable_functions as df

from activities.writeback import (
    writeback_defer,
    writeback_next_batch,
    writeback_plan,
    writeback_push_batch,
    writeback_requeue,
)
from core.ratelimit import BudgetCheck, BudgetConfig, Risk
from orchestrators.throttle import PermitRequest, acquire_permits, configure_budget, report_rate_limited
from stores.outbox import OutboxOp
from writeback.contracts import (
    BatchInput,
    DeferInput,
    DrainPlan,
    DrainState,
    EntryRef,
    NextBatch,
    PushBatchInput,
    PushBatchResult,
)

bp = df.Blueprint()
WRITEBACK_ORCHESTRATION = "writeback_integration"


def writeback_instance_id(tenant_id: str, integration_id: str) -> str:
    """The drainer's instance id: one per integration."""
    return f"writeback:{tenant_id}:{integration_id}"


def _push(context: df.DurableOrchestrationContext, state: DrainState,
          entries: list[EntryRef]) -> Generator[Any, Any, None]:
    result = PushBatchResult.model_validate((yield context.call_activity(writeback_push_batch, PushBatchInput(
        tenant_id=state.tenant_id, integration_id=state.integration_id, entries=entries).to_wire())))
    state.pushed += result.pushed + result.resolved
    state.conflicts += result.conflicts
    state.failed += result.dead
    if result.rate_limited:
        report_rate_limited(context, state.tenant_id, state.integration_id, result.retry_after)


def _rejection(check: BudgetCheck) -> str:
    why = check.reason.value if check.reason else "limit"
    level = f", {check.level}" if check.level else ""
    return f"delete rejected while throttled ({why}{level}); queued until {check.reset_at.isoformat()}"


def _deletes(context: df.DurableOrchestrationContext, state: DrainState,
             entries: list[EntryRef]) -> Generator[Any, Any, None]:
    """Deletes are risky: one permit each, and a rejection while throttled leaves the entry queued."""
    for entry in entries:
        check = yield from acquire_permits(context, PermitRequest(
            tenant_id=state.tenant_id, integration_id=state.integration_id, operation=OutboxOp.DELETE.value,
            risk=Risk.RISKY))
        if check.allowed:
            yield from _push(context, state, [entry])
            continue
        state.rejected += 1
        yield context.call_activity(writeback_defer, DeferInput(
            tenant_id=state.tenant_id, integration_id=state.integration_id, shard_id=entry.shard_id,
            not_before=check.reset_at, reason=_rejection(check)).to_wire())


def _run(context: df.DurableOrchestrationContext, state: DrainState, op: OutboxOp,
         entries: list[EntryRef]) -> Generator[Any, Any, None]:
    """Push a run of entries of one operation, as the budget grants permits (safe ones wait)."""
    if op == OutboxOp.DELETE:
        yield from _deletes(context, state, entries)
        return
    remaining = entries
    while remaining:
        check = yield from acquire_permits(context, PermitRequest(
            tenant_id=state.tenant_id, integration_id=state.integration_id, operation=op.value,
            permits=len(remaining), min_permits=1))
        granted = max(check.granted, 1)
        yield from _push(context, state, remaining[:granted])
        remaining = remaining[granted:]


@bp.orchestration_trigger(context_name="context")
def writeback_integration(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    state = DrainState.model_validate(context.get_input())
    plan = DrainPlan.model_validate((yield context.call_activity(writeback_plan, {
        "tenantId": state.tenant_id, "integrationId": state.integration_id})))
    if plan.error is not None:
        return {**state.to_wire(), "error": plan.error}
    if not state.configured:
        yield from configure_budget(context, state.tenant_id, state.integration_id,
                                    BudgetConfig.model_validate(plan.budget))
        state.configured = True
    for _ in range(plan.batches_per_generation):
        batch = NextBatch.model_validate((yield context.call_activity(writeback_next_batch, BatchInput(
            tenant_id=state.tenant_id, integration_id=state.integration_id, limit=plan.batch_size).to_wire())))
        context.set_custom_status(state.to_wire())
        if not batch.entries:
            horizon = context.current_utc_datetime + timedelta(seconds=plan.max_idle_wait_seconds)
            if batch.next_due_at is None or batch.next_due_at > horizon:
                return state.to_wire()
            if batch.next_due_at > context.current_utc_datetime:
                yield context.create_timer(batch.next_due_at)
            continue
        for op, run in groupby(batch.entries, key=lambda e: e.op):
            yield from _run(context, state, op, list(run))
    state.generation += 1
    context.continue_as_new(state.to_wire())
    return None


@bp.orchestration_trigger(context_name="context")
def writeback_retry(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    """Started by a write-back dead letter's retry: re-queue its entry (the drainer then pushes it)."""
    requeued = yield context.call_activity(writeback_requeue, context.get_input())
    return {"requeued": bool(requeued)}
