"""The sync scheduler (seed 000's SyncScheduler): timer starters for due and nightly syncs.

- Hourly: integrations whose ``nextSyncAt`` has passed, high priority first, then normal, then low (the
  most overdue first within a priority), at most ``scheduler_batch_cap`` per run; each is started under
  the integration's single-flight lease, so one already running is skipped, never doubled.
- Nightly (02:00 UTC): a full sync of every integration with ``nightlyFullSync``, then run history older
  than ``history_retention_days`` is purged.

Integrations waiting for re-authorization or paused are not listed (only ``active`` ones are due).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import azure.durable_functions as df
import azure.functions as func

from api.http import ApiError
from api.sync_lease import DurableClient, start_sync
from core.models import Integration, RunMode, RunTrigger
from services import Services, get_services

log = logging.getLogger("castiel.scheduler")
bp = df.Blueprint()

HOURLY = "0 0 * * * *"
NIGHTLY = "0 0 2 * * *"
CANDIDATES_PER_SLOT = 4
STAGED_PAGE_RETENTION = timedelta(days=2)


@dataclass
class ScheduleReport:
    started: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    purged_runs: int = 0
    purged_pages: int = 0


async def _start_each(client: DurableClient, services: Services, integrations: list[Integration], mode: RunMode,
                      trigger: RunTrigger, now: datetime, cap: int) -> ScheduleReport:
    report = ScheduleReport()
    for integration in integrations:
        if len(report.started) >= cap:
            break
        assert integration.tenant_id is not None and integration.integration_id is not None
        key = f"{integration.tenant_id}/{integration.integration_id}"
        try:
            await start_sync(client, services.stores.integrations, integration.tenant_id,
                             integration.integration_id, mode, trigger, now)
            report.started.append(key)
        except ApiError as exc:  # already running, paused, needs re-auth, deleted meanwhile
            report.skipped[key] = exc.code
    return report


async def run_due_syncs(client: DurableClient, services: Services, now: datetime | None = None) -> ScheduleReport:
    """Start the due integrations' incremental syncs, by priority, capped."""
    now = now or datetime.now(UTC)
    cap = services.settings.scheduler_batch_cap
    # Read past the cap: integrations still running are skipped and must not take the slots of others.
    due = services.stores.integrations.list_due(now, cap * CANDIDATES_PER_SLOT)
    report = await _start_each(client, services, due, RunMode.INCREMENTAL, RunTrigger.SCHEDULE, now, cap)
    log.info("scheduler: %d due, %d started, %d skipped", len(due), len(report.started), len(report.skipped))
    return report


async def run_nightly(client: DurableClient, services: Services, now: datetime | None = None) -> ScheduleReport:
    """Full syncs for integrations that ask for them, then purge old run history and abandoned staged pages."""
    now = now or datetime.now(UTC)
    settings = services.settings
    cap = settings.scheduler_batch_cap
    nightly = services.stores.integrations.list_nightly(cap * CANDIDATES_PER_SLOT)
    report = await _start_each(client, services, nightly, RunMode.FULL, RunTrigger.NIGHTLY, now, cap)
    report.purged_runs = services.stores.runs.purge_older_than(now, settings.history_retention_days)
    # A page stays staged for seconds; one older than this was left by a run that crashed or was terminated.
    report.purged_pages = services.stores.staging.purge_before(now - STAGED_PAGE_RETENTION)
    log.info("nightly: %d full syncs started, %d skipped, %d old runs and %d abandoned staged pages purged",
             len(report.started), len(report.skipped), report.purged_runs, report.purged_pages)
    return report


@bp.timer_trigger(schedule=HOURLY, arg_name="timer")
@bp.durable_client_input(client_name="client")
async def sync_scheduler(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    await run_due_syncs(client, get_services())


@bp.timer_trigger(schedule=NIGHTLY, arg_name="timer")
@bp.durable_client_input(client_name="client")
async def nightly_full_sync(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    await run_nightly(client, get_services())
