"""Activities that open and close a sync run: the plan, the Run record, the integration's schedule."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df

from activities.contracts import ErrorInfo, FinishRunInput, MappingPlan, RetrySettings, SyncPlan, SyncRequest
from core.models import (
    Integration,
    IntegrationState,
    MappingProgress,
    MappingStatus,
    Run,
    RunError,
    RunStats,
    RunStatus,
    SyncDirection,
    overall_status,
)
from core.ratelimit import BudgetConfig, WindowLimit
from core.schedules import next_sync_at
from core.settings import Settings
from services import get_services
from stores.errors import RecordExists, StaleETag

bp = df.Blueprint()
PULL_DIRECTIONS = (SyncDirection.PULL, SyncDirection.BIDIRECTIONAL)
CAS_ATTEMPTS = 5


def budget_config(integration: Integration, settings: Settings) -> BudgetConfig:
    """The integration's budget: provider defaults and ``rateLimits``; per-operation levels from settings
    (the seeds' fetch 200, create 100, update 150, delete 100 per minute) unless the integration overrides."""
    per_minute = {"fetch": settings.rate_limit_fetch_per_minute, "create": settings.rate_limit_create_per_minute,
                  "update": settings.rate_limit_update_per_minute, "delete": settings.rate_limit_delete_per_minute}
    overrides = integration.rate_limits.operations_per_minute if integration.rate_limits else None
    per_minute.update({str(getattr(op, "value", op)): n for op, n in (overrides or {}).items()})
    limits: dict[str, WindowLimit | None] = {
        op: WindowLimit(permits=n, window_seconds=60.0) for op, n in per_minute.items()
    }
    return BudgetConfig.for_integration(integration, operation_defaults=False, operation_limits=limits)


def _now() -> datetime:
    return datetime.now(UTC)


def _pulled(integration: Integration) -> list[MappingPlan]:
    return [
        MappingPlan(index=i, external_entity=m.external_entity, shard_type_id=m.shard_type_id)
        for i, m in enumerate(integration.entity_mappings) if m.direction in PULL_DIRECTIONS
    ]


@bp.activity_trigger(input_name="payload")
def start_run(payload: dict[str, Any]) -> dict[str, Any]:
    """Record the Run (idempotent: a retried activity finds it) and return the plan."""
    req = SyncRequest.model_validate(payload)
    services = get_services()
    integration = services.stores.integrations.get(req.tenant_id, req.integration_id)
    plan = SyncPlan(run_id=req.run_id, tenant_id=req.tenant_id, integration_id=req.integration_id, mode=req.mode)
    if integration is None:
        plan.error = ErrorInfo(code="NOT_FOUND", message=f"integration {req.integration_id!r} not found")
        return plan.to_wire()
    if integration.state != IntegrationState.ACTIVE:
        plan.error = ErrorInfo(code="INTEGRATION_NOT_ACTIVE",
                               message=f"integration is {integration.state.value}: {integration.state_reason or ''}")
    mappings = _pulled(integration)
    run = Run(
        run_id=req.run_id, integration_id=req.integration_id, tenant_id=req.tenant_id, mode=req.mode,
        trigger=req.trigger, started_at=_now(),
        mappings=[MappingProgress(external_entity=m.external_entity, shard_type_id=m.shard_type_id) for m in mappings],
    )
    with contextlib.suppress(RecordExists):  # a re-run of this activity finds its Run already there
        services.stores.runs.create(req.tenant_id, run)
    settings = services.settings
    plan.provider = integration.provider.value
    plan.mappings = mappings
    plan.page_size = settings.sync_page_size
    plan.pages_per_generation = settings.sync_pages_per_generation
    plan.retry = RetrySettings(max_attempts=settings.sync_retry_max_attempts,
                               initial_delay_seconds=settings.sync_retry_initial_delay_seconds,
                               max_delay_seconds=settings.sync_retry_max_delay_seconds)
    plan.max_parallel_mappings = settings.sync_max_parallel_mappings
    plan.budget = budget_config(integration, settings).to_wire()
    return plan.to_wire()


@bp.activity_trigger(input_name="payload")
def finish_run(payload: dict[str, Any]) -> dict[str, Any]:
    """Totals and status on the Run; lastSyncAt/nextSyncAt on the integration; the sync lease released."""
    inp = FinishRunInput.model_validate(payload)
    req = inp.request
    services = get_services()
    now = _now()
    run = services.stores.runs.get(req.tenant_id, req.run_id) or Run(
        run_id=req.run_id, integration_id=req.integration_id, tenant_id=req.tenant_id, mode=req.mode,
        trigger=req.trigger, started_at=now,
    )
    for result in inp.results:
        if result.index < len(run.mappings):
            progress = run.mappings[result.index]
            progress.status = MappingStatus(result.status)
            progress.pages, progress.stats = result.pages, result.stats
            progress.error = result.errors[-1] if result.status == "failed" and result.errors else None
    run.mappings = _completed_only(run.mappings, inp)
    run.stats = sum((r.stats for r in inp.results), RunStats())
    run.errors = [e for r in inp.results for e in r.errors][-50:]
    if inp.error is not None:
        run.status = RunStatus.FAILED
        run.errors.append(RunError(error_type=inp.error.code, message=inp.error.message))
    else:
        run.status = overall_status(run.mappings)
    run.ended_at = now
    services.stores.runs.update(req.tenant_id, run)
    _release(req, now, succeeded=run.status != RunStatus.FAILED)
    return run.to_wire()


def _completed_only(mappings: list[MappingProgress], inp: FinishRunInput) -> list[MappingProgress]:
    # A mapping with no result (the plan failed) is reported failed rather than left pending.
    reported = {r.index for r in inp.results}
    for index, progress in enumerate(mappings):
        if index not in reported and progress.status == MappingStatus.PENDING:
            progress.status = MappingStatus.FAILED
    return mappings


def _release(req: SyncRequest, now: datetime, succeeded: bool) -> None:
    """Clear the single-flight lease (only our own) and move the schedule on, under ETag CAS."""
    integrations = get_services().stores.integrations
    for _ in range(CAS_ATTEMPTS):
        integration = integrations.get(req.tenant_id, req.integration_id)
        if integration is None:
            return
        changes: dict[str, Any] = {"next_sync_at": next_sync_at(integration.sync_frequency, now, now)}
        if succeeded:
            changes["last_sync_at"] = now
        if integration.active_run_id == req.run_id:
            changes["active_run_id"] = None
        try:
            integrations.update(req.tenant_id, req.integration_id, changes, if_match=integration.etag)
            return
        except StaleETag:
            continue
