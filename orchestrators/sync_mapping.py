"""`sync_mapping`: page through one entity mapping of one run: permits, fetch, transform, save.

Each page is one fetch, one transform and one save activity; records stay in the staging store and only
their key crosses the boundary. The next page is fetched while the current one is saved (the two overlap
in one `task_all`), so a page costs about the slower of the two rather than their sum. The cursor lives in
the orchestration state (and is checkpointed to the store by `save_page` after every page), and
`continue_as_new` every few pages keeps history bounded.

Failures are decided by the retry policy (``core.retry``): a rate limit is reported to the integration's
budget, transient errors wait on a durable timer and try again, an expired delta token restarts the mapping
as a full read, and a permanent error ends the mapping as failed with the error recorded (the run then
reports ``partial`` if other mappings succeeded).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from activities.contracts import (
    DetectDeletionsInput,
    FetchPageInput,
    FetchPageResult,
    MappingResult,
    MappingState,
    SavePageInput,
    SavePageResult,
    TransformPageInput,
    TransformPageResult,
)
from activities.sync_pages import detect_deletions, fetch_page, save_page, transform_page
from core.errors import ErrorCode
from core.models import RunError, RunMode, RunStats
from core.retry import RetryPolicy, decide
from orchestrators.throttle import PermitRequest, acquire_permits, report_limits, report_rate_limited

bp = df.Blueprint()
Steps = Generator[Any, Any, Any]


def _ref(state: MappingState, page_no: int) -> dict[str, Any]:
    req = state.request
    return {"tenant_id": req.tenant_id, "integration_id": req.integration_id, "run_id": req.run_id,
            "mapping_index": state.mapping.index, "page_no": page_no}


def _schedule_fetch(context: df.DurableOrchestrationContext, state: MappingState, page_no: int,
                    cursor: dict[str, Any] | None) -> Steps:
    """Ask the budget for a fetch permit, then schedule (not await) the fetch activity."""
    req = state.request
    yield from acquire_permits(
        context, PermitRequest(tenant_id=req.tenant_id, integration_id=req.integration_id, operation="fetch")
    )
    payload = FetchPageInput(**_ref(state, page_no), mode=state.mode, cursor=cursor, page_size=state.page_size)
    return context.call_activity(fetch_page, payload.to_wire())


def _fetch_until_ok(context: df.DurableOrchestrationContext, state: MappingState, first: Any) -> Steps:
    """The page `first` (a scheduled fetch) yields, retried as the policy says; a failed MappingResult
    (as a dict) when the mapping must stop."""
    task = first
    while True:
        fetched = FetchPageResult.model_validate((yield task))
        req = state.request
        if fetched.limits:
            report_limits(context, req.tenant_id, req.integration_id, fetched.limits)
        if fetched.error is None and not fetched.resync_required:
            state.attempt = 0
            return fetched
        failed = yield from _on_fetch_error(context, state, fetched)
        if failed is not None:
            return failed
        task = yield from _schedule_fetch(context, state, state.pages, state.cursor)


@bp.orchestration_trigger(context_name="context")
def sync_mapping(context: df.DurableOrchestrationContext) -> Steps:
    state = MappingState.model_validate(context.get_input())
    req = state.request
    pages_this_generation = 0
    if state.prefetched is not None:
        fetched, state.prefetched = state.prefetched, None
    else:
        first = yield from _schedule_fetch(context, state, state.pages, state.cursor)
        fetched = yield from _fetch_until_ok(context, state, first)
    while True:
        if not isinstance(fetched, FetchPageResult):
            return fetched  # the mapping failed for good
        ref = _ref(state, state.pages)
        next_task = None
        if fetched.next_cursor is not None:
            next_task = yield from _schedule_fetch(context, state, state.pages + 1, fetched.next_cursor)
        if fetched.staging_key is not None:
            transformed = TransformPageResult.model_validate((yield context.call_activity(
                transform_page, TransformPageInput(**ref, staging_key=fetched.staging_key).to_wire(),
            )))
            state.errors = (state.errors + transformed.errors)[-20:]
            save = context.call_activity(save_page, SavePageInput(
                **ref, staging_key=transformed.staging_key, mode=state.mode, checkpoint=fetched.checkpoint,
            ).to_wire())
            done = yield context.task_all([save] if next_task is None else [save, next_task])
            saved = SavePageResult.model_validate(done[0])
            state.stats = state.stats + saved.stats + RunStats(fetched=fetched.fetched, failed=transformed.failed)
        state.pages += 1
        pages_this_generation += 1
        state.cursor = fetched.next_cursor
        if next_task is None:
            break
        fetched = yield from _fetch_until_ok(context, state, next_task)
        if pages_this_generation >= state.pages_per_generation and isinstance(fetched, FetchPageResult):
            state.prefetched = fetched  # a staging key and cursors: small
            context.continue_as_new(state.to_wire())
            return None
    if state.mode == RunMode.FULL:
        deleted = yield context.call_activity(detect_deletions, DetectDeletionsInput(
            tenant_id=req.tenant_id, integration_id=req.integration_id, run_id=req.run_id,
            mapping_index=state.mapping.index,
        ).to_wire())
        state.stats = state.stats.model_copy(update={"deleted": state.stats.deleted + int(deleted)})
    return MappingResult(index=state.mapping.index, status="completed", pages=state.pages, stats=state.stats,
                         errors=state.errors).to_wire()


def _on_fetch_error(
    context: df.DurableOrchestrationContext, state: MappingState, fetched: FetchPageResult
) -> Generator[Any, Any, dict[str, Any] | None]:
    """Wait before a retry (None), restart as a full read (None), or end the mapping (its failed result)."""
    req = state.request
    error = fetched.error
    if fetched.resync_required or (error is not None and error.code == ErrorCode.RESYNC_REQUIRED):
        state.mode, state.cursor, state.attempt = RunMode.FULL, None, 0
        return None
    assert error is not None
    if error.code == ErrorCode.RATE_LIMIT:
        report_rate_limited(context, req.tenant_id, req.integration_id, error.retry_after)
    state.attempt += 1
    policy = RetryPolicy(max_attempts=state.retry.max_attempts,
                         initial_delay_seconds=state.retry.initial_delay_seconds,
                         max_delay_seconds=state.retry.max_delay_seconds)
    decision = decide({**error.data, "code": error.code, "message": error.message,
                       "retry_after": error.retry_after}, state.attempt, policy)
    if decision.retry:
        yield context.create_timer(context.current_utc_datetime + timedelta(seconds=decision.delay_seconds))
        return None
    failure = RunError(error_type=error.code, message=error.message, external_entity=state.mapping.external_entity,
                       retryable=error.retryable)
    return MappingResult(index=state.mapping.index, status="failed", pages=state.pages, stats=state.stats,
                         errors=[*state.errors[-19:], failure]).to_wire()
