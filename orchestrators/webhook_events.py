"""`webhook_events`: one orchestration per integration drains its webhook inbox, page by page.

Bursts are coalesced: the instance id is fixed per integration (``drainer_instance_id``), the route
starts it only when it is not running, and a running drainer picks up whatever arrived meanwhile. It
paces itself to ``max_events_per_second`` while it works through a backlog and
exits once a page comes back empty twice, ``idle_wait_seconds`` apart (events persisted while it was
deciding to stop are seen by the second look; ``timers.webhook_drainer`` sweeps up the rest).

Per page: ``drain_webhook_page`` upserts rich events and deletions; each group of thin events waits
for ``fetch`` permits from the integration's rate-limit budget, then ``fetch_webhook_records`` reads
them through the adapter. Retryable provider errors wait on a durable timer (backoff from
``core.retry``); the last attempt dead-letters the group. ``continue_as_new`` bounds history.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from activities.webhook_contracts import (
    DrainInput,
    DrainResult,
    DrainState,
    FetchGroup,
    FetchInput,
    FetchResult,
)
from activities.webhook_events import drain_webhook_page, fetch_webhook_records
from core.errors import ErrorCode
from core.models import RunStats
from core.retry import RetryPolicy, decide
from orchestrators.throttle import PermitRequest, acquire_permits, report_rate_limited

bp = df.Blueprint()

WEBHOOK_ORCHESTRATION = "webhook_events"
# Seven attempts, 2 s doubling to 60 s: over two minutes, past HubSpot's search lag (10-60 s).
_FETCH_RETRY = RetryPolicy(max_attempts=7, initial_delay_seconds=2.0, max_delay_seconds=60.0)


def drainer_instance_id(tenant_id: str, integration_id: str) -> str:
    """The one instance id of an integration's drainer (``webhooks:{tenant}:{integration}``)."""
    return f"webhooks:{tenant_id}:{integration_id}"


@bp.orchestration_trigger(context_name="context")
def webhook_events(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    state = DrainState.model_validate(context.get_input())
    if state.started_at is None:
        state.started_at = context.current_utc_datetime
    drain = DrainInput(tenant_id=state.tenant_id, integration_id=state.integration_id,
                       run_id=context.instance_id, page_size=state.page_size).to_wire()
    pages, idle = 0, False
    while True:
        page_started = context.current_utc_datetime
        page = DrainResult.model_validate((yield context.call_activity(drain_webhook_page, drain)))
        state.stats = state.stats + page.stats
        for group in page.fetch:
            state.stats = state.stats + (yield from _fetch(context, state, group))
        if page.listed == 0:
            if idle:
                return state.to_wire()
            idle = True
            yield context.create_timer(context.current_utc_datetime + timedelta(seconds=state.idle_wait_seconds))
            continue
        idle = False
        state.pages += 1
        state.events += page.listed
        context.set_custom_status({"pages": state.pages, "events": state.events})
        pages += 1
        if pages >= state.pages_per_generation:
            context.continue_as_new(state.to_wire())
            return None
        due = page_started + timedelta(seconds=page.listed / state.max_events_per_second)
        if page.listed >= state.page_size and due > context.current_utc_datetime:
            yield context.create_timer(due)  # a backlog: keep to the processing pace


def _fetch(
    context: df.DurableOrchestrationContext, state: DrainState, group: FetchGroup
) -> Generator[Any, Any, RunStats]:
    """Permits, then the fetch activity; retry transient errors and not-yet-visible records on durable timers."""
    attempt, stats = 1, RunStats()
    while True:
        yield from acquire_permits(context, PermitRequest(
            tenant_id=state.tenant_id, integration_id=state.integration_id, operation="fetch"))
        result = FetchResult.model_validate((yield context.call_activity(fetch_webhook_records, FetchInput(
            tenant_id=state.tenant_id, integration_id=state.integration_id, run_id=context.instance_id,
            group=group, attempt=attempt, max_attempts=_FETCH_RETRY.max_attempts,
        ).to_wire())))
        if result.retry is not None:
            stats = stats + result.stats
            group, attempt = result.retry, attempt + 1
            pause = min(_FETCH_RETRY.max_delay_seconds, _FETCH_RETRY.initial_delay_seconds * 2 ** (attempt - 2))
            yield context.create_timer(context.current_utc_datetime + timedelta(seconds=pause))
            continue
        if result.done or result.error is None:
            return stats + result.stats
        error = result.error
        if error.code == ErrorCode.RATE_LIMIT:
            report_rate_limited(context, state.tenant_id, state.integration_id, error.retry_after)
        decision = decide({**error.data, "code": error.code, "message": error.message,
                           "retry_after": error.retry_after}, attempt, _FETCH_RETRY)
        attempt += 1
        delay = decision.delay_seconds if decision.retry else _FETCH_RETRY.initial_delay_seconds
        yield context.create_timer(context.current_utc_datetime + timedelta(seconds=delay))
