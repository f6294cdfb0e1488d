"""`sync_mapping`: page through one entity mapping of one run: permits, fetch, transform, save.

Each page is one fetch, one transform and one save activity; records stay in the staging store and only
their key crosses the boundary. Two lanes run side by side: the fetch lane (permits, then fetch, page after
page, each page's cursor coming from the previous one) and the process lane (transform, then save, page after
page in fetch order). The fetch lane runs up to ``FETCH_AHEAD`` pages ahead of the saves, so the request rate
depends on the fetches alone, not on the saves. The cursor lives in the orchestration state (checkpointed
to the store by `save_page` after every page), and `continue_as_new` every few pages keeps history bounded.
A generation that has fetched its pages starts nothing more, waits for the activities in flight and hands the
pages it has not saved (fetched, or transformed too) to the next one in the state: each generation starts with
all three lanes busy rather than draining them at its end and refilling them at its start.

Failures are decided by the retry policy (``core.retry``): a rate limit is reported to the integration's
budget, transient errors wait on a durable timer and try again, an expired delta token restarts the mapping
as a full read, and a permanent error ends the mapping as failed with the error recorded (the run then
reports ``partial`` if other mappings succeeded); pages fetched before the failure are still saved.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import azure.durable_functions as df
from azure.durable_functions.models.Task import TaskState

from activities.contracts import (
    CarriedPage,
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
from orchestrators.throttle import (
    PermitRequest,
    TenantLease,
    acquire_permits,
    release_lease,
    report_limits_of,
    report_rate_limited,
)

bp = df.Blueprint()
Steps = Generator[Any, Any, Any]

FETCH_AHEAD = 3
"""Pages fetched but not yet saved, at most: bounds the staging backlog of one mapping."""
TENANT_LEASE = 8
"""Tenant permits taken per tenant ask (the rest of each request's permits need one entity call)."""
MIN_PAGES_PER_GENERATION = 6
"""The fewest pages a generation of short pages holds (see ``generation_pages``)."""


def generation_pages(state: MappingState, first: FetchPageResult) -> int:
    """How many pages this generation fetches before ``continue_as_new``.

    ``pages_per_generation`` full pages. Every episode replays the whole generation, so its cost follows the
    page count, not the records: when the provider returns shorter pages than asked (a capped page size,
    e.g. 200 of 2,000), the generation ends after as many records as ``pages_per_generation`` full pages
    would hold, but not before ``MIN_PAGES_PER_GENERATION`` pages (each generation also costs a
    ``continue_as_new``, and a wait for the activities in flight before it). Decided from the generation's first
    page, so replays agree.
    """
    if first.fetched >= state.page_size:
        return state.pages_per_generation
    by_records = math.ceil(state.pages_per_generation * first.fetched / state.page_size)
    return min(state.pages_per_generation, max(MIN_PAGES_PER_GENERATION, by_records))


@dataclass
class Fetched:
    """A fetched page waiting for its transform and save, with the mode it was read in."""

    page_no: int
    mode: RunMode
    result: FetchPageResult


@dataclass
class Lane:
    """A sequence of durable steps (a generator yielding tasks) and the task it waits on."""

    steps: Steps
    task: Any = None
    done: bool = False
    value: Any = None

    def advance(self, finished: Any = None) -> None:
        """Resume the steps with ``finished``'s outcome (first call: start them)."""
        try:
            if finished is None:
                self.task = next(self.steps)
            elif finished.state is TaskState.FAILED:
                self.task = self.steps.throw(finished.result)
            else:
                self.task = self.steps.send(finished.result)
        except StopIteration as stop:
            self.done, self.value = True, stop.value


@dataclass
class Pipeline:
    """What the main loop knows between steps (local: a replay rebuilds it exactly)."""

    cursor: dict[str, Any] | None
    next_page: int
    more: bool = True
    fetched: list[Fetched] = field(default_factory=list)
    transformed: list[tuple[Fetched, TransformPageResult | None]] = field(default_factory=list)
    fetched_this_generation: int = 0
    generation_pages: int | None = None
    failure: RunError | None = None
    lanes: dict[str, Lane] = field(default_factory=dict)

    def backlog(self) -> int:
        """Pages fetched and not yet saved, apart from the one being saved."""
        return len(self.fetched) + len(self.transformed) + ("transform" in self.lanes)


def _ref(state: MappingState, page_no: int) -> dict[str, Any]:
    req = state.request
    return {"tenant_id": req.tenant_id, "integration_id": req.integration_id, "run_id": req.run_id,
            "mapping_index": state.mapping.index, "page_no": page_no}


def _fetch_lane(context: df.DurableOrchestrationContext, state: MappingState, lease: TenantLease,
                page_no: int, cursor: dict[str, Any] | None) -> Steps:
    """Permits, then the fetch, retried as the policy says: a ``Fetched`` page or the mapping's ``RunError``."""
    req = state.request
    permit = PermitRequest(tenant_id=req.tenant_id, integration_id=req.integration_id, operation="fetch")
    while True:
        yield from acquire_permits(context, permit, lease)
        payload = FetchPageInput(**_ref(state, page_no), mode=state.mode, cursor=cursor, page_size=state.page_size)
        fetched = FetchPageResult.model_validate((yield context.call_activity(fetch_page, payload.to_wire())))
        if fetched.limits:
            report_limits_of(context, req.tenant_id, req.integration_id, fetched.limits, page_no)
        if fetched.error is None and not fetched.resync_required:
            state.attempt = 0
            return Fetched(page_no, state.mode, fetched)
        failure = yield from _on_fetch_error(context, state, fetched)
        if failure is not None:
            return failure
        if _resync(fetched):
            cursor = None  # the delta token expired: read everything from the start


def _transform_lane(context: df.DurableOrchestrationContext, state: MappingState, page: Fetched) -> Steps:
    """Map one fetched page into staging: the page and its ``TransformPageResult`` (None: nothing staged)."""
    if page.result.staging_key is None:
        return page, None
    transformed = TransformPageResult.model_validate((yield context.call_activity(
        transform_page, TransformPageInput(**_ref(state, page.page_no), staging_key=page.result.staging_key).to_wire(),
    )))
    state.errors = (state.errors + transformed.errors)[-20:]
    return page, transformed


def _save_lane(context: df.DurableOrchestrationContext, state: MappingState, page: Fetched,
               transformed: TransformPageResult | None) -> Steps:
    """Save one transformed page (pages are saved in fetch order: each checkpoints the cursor after it)."""
    fetched = page.result
    if transformed is not None:
        saved = SavePageResult.model_validate((yield context.call_activity(save_page, SavePageInput(
            **_ref(state, page.page_no), staging_key=transformed.staging_key, mode=page.mode,
            checkpoint=fetched.checkpoint,
        ).to_wire())))
        state.stats = state.stats + saved.stats + RunStats(fetched=fetched.fetched, failed=transformed.failed)
        state.errors = (state.errors + saved.errors)[-20:]
    state.pages = page.page_no + 1
    state.cursor = fetched.next_cursor


def _resync(fetched: FetchPageResult) -> bool:
    return fetched.resync_required or (fetched.error is not None and fetched.error.code == ErrorCode.RESYNC_REQUIRED)


def _closing(state: MappingState, pipe: Pipeline) -> bool:
    """The generation has fetched its pages and more remain: it starts no more activities (``carried``)."""
    return pipe.more and pipe.failure is None and pipe.fetched_this_generation >= _limit(state, pipe)


def _start_lanes(context: df.DurableOrchestrationContext, state: MappingState, lease: TenantLease,
                 pipe: Pipeline) -> None:
    """Start every lane that is idle and has work: fetch (room ahead and generation left), transform, save."""
    lanes = pipe.lanes
    if _closing(state, pipe):  # so below, more pages and no failure mean this generation has pages left to fetch
        return
    if "fetch" not in lanes and pipe.more and pipe.failure is None and pipe.backlog() < FETCH_AHEAD:
        lanes["fetch"] = Lane(_fetch_lane(context, state, lease, pipe.next_page, pipe.cursor))
    if "transform" not in lanes and pipe.fetched:
        lanes["transform"] = Lane(_transform_lane(context, state, pipe.fetched.pop(0)))
    if "save" not in lanes and pipe.transformed:
        lanes["save"] = Lane(_save_lane(context, state, *pipe.transformed.pop(0)))
    for lane in lanes.values():
        if lane.task is None and not lane.done:
            lane.advance()


def _collect(state: MappingState, pipe: Pipeline) -> bool:
    """Take the outcome of every finished lane; True if any had finished."""
    finished = [name for name, lane in pipe.lanes.items() if lane.done]
    for name in finished:
        value = pipe.lanes.pop(name).value
        if name == "transform":
            pipe.transformed.append(value)
        elif name == "fetch" and isinstance(value, RunError):
            pipe.failure = value
        elif name == "fetch":
            _on_fetched(state, pipe, value)
    return bool(finished)


def _limit(state: MappingState, pipe: Pipeline) -> int:
    return state.pages_per_generation if pipe.generation_pages is None else pipe.generation_pages


def _on_fetched(state: MappingState, pipe: Pipeline, page: Fetched) -> None:
    if pipe.generation_pages is None:
        pipe.generation_pages = generation_pages(state, page.result)
    pipe.fetched.append(page)
    pipe.fetched_this_generation += 1
    pipe.next_page = page.page_no + 1
    pipe.cursor = page.result.next_cursor
    pipe.more = pipe.cursor is not None


def _run_lanes(context: df.DurableOrchestrationContext, state: MappingState, lease: TenantLease,
               pipe: Pipeline) -> Steps:
    """Run the lanes until nothing is left to start: the mapping is done or failed, or the generation is
    full (its unsaved pages then stay in ``pipe.fetched`` and ``pipe.transformed``)."""
    while True:
        _start_lanes(context, state, lease, pipe)
        if _collect(state, pipe):
            continue
        lanes = list(pipe.lanes.values())
        if not lanes:
            return
        finished = yield context.task_any([lane.task for lane in lanes])
        next(lane for lane in lanes if lane.task is finished).advance(finished)


@bp.orchestration_trigger(context_name="context")
def sync_mapping(context: df.DurableOrchestrationContext) -> Steps:
    state = MappingState.model_validate(context.get_input())
    req = state.request
    lease = TenantLease(TENANT_LEASE)
    pipe = Pipeline(cursor=state.cursor, next_page=state.pages)
    _take_over(state, pipe)
    yield from _run_lanes(context, state, lease, pipe)
    release_lease(context, req.tenant_id, "fetch", lease)
    if pipe.failure is not None:
        return MappingResult(index=state.mapping.index, status="failed", pages=state.pages, stats=state.stats,
                             errors=[*state.errors[-19:], pipe.failure]).to_wire()
    if pipe.more:  # the generation is full: the next one goes on with the pages not saved yet
        state.carried = _unsaved(pipe)
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


def _take_over(state: MappingState, pipe: Pipeline) -> None:
    """Put the pages the previous generation handed over back in the lanes' queues (they do not count towards
    this generation's pages)."""
    if state.prefetched is not None:  # handed over by an earlier version: the one page fetched ahead
        state.carried = [CarriedPage(page_no=state.pages, mode=state.mode, fetched=state.prefetched)]
        state.prefetched = None
    for carried in state.carried:
        page = Fetched(carried.page_no, carried.mode, carried.fetched)
        _on_fetched(state, pipe, page)
        if carried.transformed:
            pipe.transformed.append((pipe.fetched.pop(), carried.transform))
    state.carried, pipe.fetched_this_generation = [], 0


def _unsaved(pipe: Pipeline) -> list[CarriedPage]:
    """The pages fetched but not saved, in page order (transformed ones first: transforms go in page order)."""
    return [
        *(CarriedPage(page_no=page.page_no, mode=page.mode, fetched=page.result, transformed=True, transform=result)
          for page, result in pipe.transformed),
        *(CarriedPage(page_no=page.page_no, mode=page.mode, fetched=page.result) for page in pipe.fetched),
    ]


def _on_fetch_error(
    context: df.DurableOrchestrationContext, state: MappingState, fetched: FetchPageResult
) -> Generator[Any, Any, RunError | None]:
    """Wait before a retry (None), switch to a full read (None), or end the mapping (the error)."""
    req = state.request
    error = fetched.error
    if _resync(fetched):
        state.mode, state.attempt = RunMode.FULL, 0
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
    return RunError(error_type=error.code, message=error.message, external_entity=state.mapping.external_entity,
                    retryable=error.retryable)
