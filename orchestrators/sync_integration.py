"""`sync_integration`: one sync run of one integration.

Loads the plan (and records the Run), configures the integration's rate-limit budget, fans out one
`sync_mapping` sub-orchestration per entity mapping (a few at a time, so one integration cannot flood the
activity workers), then records the outcome on the Run and the integration. Progress is published as
custom status; per-page progress is on the Run itself (`GET /runs/{runId}`).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from activities.contracts import (
    FinishRunInput,
    MappingResult,
    MappingState,
    SyncPlan,
    SyncRequest,
)
from activities.sync_runs import finish_run, start_run
from core.models import RunError
from core.ratelimit import BudgetConfig
from orchestrators.sync_mapping import sync_mapping
from orchestrators.throttle import configure_budget

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def sync_integration(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    request = SyncRequest.model_validate(context.get_input())
    plan = SyncPlan.model_validate((yield context.call_activity(start_run, request.to_wire())))
    if plan.error is not None:
        yield context.call_activity(finish_run, FinishRunInput(request=request, error=plan.error).to_wire())
        return {"runId": request.run_id, "status": "failed", "error": plan.error.message}
    yield from configure_budget(context, request.tenant_id, request.integration_id,
                                BudgetConfig.model_validate(plan.budget))
    results: list[MappingResult] = []
    for start in range(0, len(plan.mappings), plan.max_parallel_mappings):
        batch = plan.mappings[start:start + plan.max_parallel_mappings]
        context.set_custom_status({"runId": request.run_id, "mappingsDone": len(results),
                                   "mappingsTotal": len(plan.mappings)})
        tasks = [
            context.call_sub_orchestrator(
                sync_mapping,
                MappingState(request=request, mapping=m, mode=plan.mode, page_size=plan.page_size,
                             pages_per_generation=plan.pages_per_generation, retry=plan.retry).to_wire(),
                f"{request.run_id}:m{m.index}",
            )
            for m in batch
        ]
        try:
            outputs = yield context.task_all(tasks)
            results += [MappingResult.model_validate(o) for o in outputs]
        except Exception as exc:  # a sub-orchestration crashed (a bug, not a provider error): keep the others
            results += _recover(batch, exc)
    run = yield context.call_activity(finish_run, FinishRunInput(request=request, results=results).to_wire())
    context.set_custom_status({"runId": request.run_id, "mappingsDone": len(results),
                               "mappingsTotal": len(plan.mappings), "status": run["status"]})
    return run


def _recover(batch: list[Any], exc: Exception) -> list[MappingResult]:
    """Results for a batch whose task_all failed: each mapping is reported failed with the error."""
    error = RunError(error_type="ORCHESTRATION_FAILED", message=str(exc).splitlines()[0][:500])
    return [MappingResult(index=m.index, status="failed", errors=[error]) for m in batch]
