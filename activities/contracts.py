"""Typed inputs and results of the pull-sync activities and orchestrators.

Everything here crosses an activity or orchestration boundary as ``to_wire()`` JSON and comes back with
``Model.model_validate(...)``. Pages travel by reference (a staging key), never as records, so orchestration
history stays small however large the sync.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.models import CamelModel, RunError, RunMode, RunStats, RunTrigger
from core.settings import SYNC_PAGE_SIZE, SYNC_PAGES_PER_GENERATION


class ErrorInfo(CamelModel):
    """A ``core.errors.SyncError`` as it crosses a boundary (``SyncError.to_dict()`` plus the code)."""

    code: str
    message: str
    retryable: bool = False
    retry_after: float | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class SyncRequest(CamelModel):
    """Start a sync run of one integration; ``run_id`` is the orchestration instance id."""

    tenant_id: str
    integration_id: str
    run_id: str
    mode: RunMode = RunMode.INCREMENTAL
    trigger: RunTrigger = RunTrigger.HTTP


class MappingPlan(CamelModel):
    index: int
    external_entity: str
    shard_type_id: str


class RetrySettings(CamelModel):
    """The retry policy an orchestration applies (from settings, fixed for the run: replays must agree)."""

    max_attempts: int = 10
    initial_delay_seconds: float = 5.0
    max_delay_seconds: float = 300.0


class SyncPlan(CamelModel):
    """What `start_run` found: the mappings to pull and the rate-limit budget to configure."""

    run_id: str
    tenant_id: str
    integration_id: str
    provider: str = ""
    mode: RunMode = RunMode.INCREMENTAL
    mappings: list[MappingPlan] = Field(default_factory=list)
    budget: dict[str, Any] = Field(default_factory=dict)
    page_size: int = SYNC_PAGE_SIZE
    pages_per_generation: int = SYNC_PAGES_PER_GENERATION
    max_parallel_mappings: int = 4
    retry: RetrySettings = Field(default_factory=RetrySettings)
    error: ErrorInfo | None = None


class PageRef(CamelModel):
    """Which page of which mapping of which run an activity works on."""

    tenant_id: str
    integration_id: str
    run_id: str
    mapping_index: int
    page_no: int


class FetchPageInput(PageRef):
    mode: RunMode
    cursor: dict[str, Any] | None = None
    page_size: int = SYNC_PAGE_SIZE


class FetchPageResult(CamelModel):
    staging_key: str | None = None
    fetched: int = 0
    deleted: int = 0
    next_cursor: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None
    resync_required: bool = False
    error: ErrorInfo | None = None


class TransformPageInput(PageRef):
    staging_key: str


class TransformPageResult(CamelModel):
    staging_key: str
    transformed: int = 0
    failed: int = 0
    errors: list[RunError] = Field(default_factory=list)


class SavePageInput(PageRef):
    staging_key: str
    mode: RunMode
    checkpoint: dict[str, Any] | None = None


class SavePageResult(CamelModel):
    stats: RunStats = Field(default_factory=RunStats)
    errors: list[RunError] = Field(default_factory=list)  # records refused by the save (at most 20)


class CarriedPage(CamelModel):
    """A page a generation fetched, and maybe transformed, but did not save: the next generation goes on with it."""

    page_no: int
    mode: RunMode  # the mode the page was read in
    fetched: FetchPageResult
    transformed: bool = False
    transform: TransformPageResult | None = None  # None once transformed: the page staged nothing


class MappingState(CamelModel):
    """The state `sync_mapping` carries across `continue_as_new` generations."""

    request: SyncRequest
    mapping: MappingPlan
    mode: RunMode
    page_size: int = SYNC_PAGE_SIZE
    pages_per_generation: int = SYNC_PAGES_PER_GENERATION
    retry: RetrySettings = Field(default_factory=RetrySettings)
    cursor: dict[str, Any] | None = None
    carried: list[CarriedPage] = Field(default_factory=list)  # in page order, handed over by continue_as_new
    prefetched: FetchPageResult | None = None  # what an earlier version handed over: the one page fetched ahead
    pages: int = 0
    attempt: int = 0
    stats: RunStats = Field(default_factory=RunStats)
    errors: list[RunError] = Field(default_factory=list)


class MappingResult(CamelModel):
    index: int
    status: str
    pages: int = 0
    stats: RunStats = Field(default_factory=RunStats)
    errors: list[RunError] = Field(default_factory=list)


class DetectDeletionsInput(CamelModel):
    tenant_id: str
    integration_id: str
    run_id: str
    mapping_index: int


class FinishRunInput(CamelModel):
    request: SyncRequest
    results: list[MappingResult] = Field(default_factory=list)
    error: ErrorInfo | None = None
