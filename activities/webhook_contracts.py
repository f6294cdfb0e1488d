"""Typed inputs and results of the webhook processing orchestration and its activities.

Only references cross the boundary: event keys and external ids, never event payloads (those stay
in the inbox), so the orchestration's history stays small however large the burst.
"""

from __future__ import annotations

from pydantic import Field

from activities.contracts import ErrorInfo
from core.models import CamelModel, RunStats, UtcDatetime

# Defaults of the drainer's state; the starters take them from Settings (``webhook_drain_*``).
DRAIN_PAGE_SIZE = 50
# Processing pace under a burst: the inbox absorbs the burst and acknowledgements keep the CPU and the
# record store they need; the drainer catches up at this rate (it never waits when it is caught up).
MAX_EVENTS_PER_SECOND = 500.0
IDLE_WAIT_SECONDS = 1.0
# Each page replays the generation's history so far: short generations keep a busy drainer's replays cheap.
PAGES_PER_GENERATION = 10
FETCH_MAX_ATTEMPTS = 5


class EventKey(CamelModel):
    """One inbox entry: ``(registrationId, eventId)``, and the record it is about."""

    registration_id: str
    event_id: str
    external_id: str | None = None


class FetchGroup(CamelModel):
    """Thin events of one mapping: the records to read through the adapter, changed since ``since``."""

    mapping_index: int
    external_ids: list[str]
    events: list[EventKey]
    since: UtcDatetime


class DrainInput(CamelModel):
    tenant_id: str
    integration_id: str
    run_id: str
    page_size: int = Field(default=DRAIN_PAGE_SIZE, ge=1, le=1000)


class DrainResult(CamelModel):
    """What one page of the inbox gave: upserts of rich events done, thin ones left to fetch."""

    listed: int = 0
    processed: int = 0
    skipped: int = 0
    stats: RunStats = Field(default_factory=RunStats)
    fetch: list[FetchGroup] = Field(default_factory=list)


class FetchInput(CamelModel):
    tenant_id: str
    integration_id: str
    run_id: str
    group: FetchGroup
    attempt: int = 1
    max_attempts: int = FETCH_MAX_ATTEMPTS


class FetchResult(CamelModel):
    """``error`` with ``done`` False: retry later; ``done``: the events are processed (or dead-lettered).

    ``retry``: records not visible to the read yet (search indexes lag), their events still pending;
    read them again after a pause.
    """

    done: bool = True
    stats: RunStats = Field(default_factory=RunStats)
    missing: int = 0
    error: ErrorInfo | None = None
    retry: FetchGroup | None = None


class DrainState(CamelModel):
    """The orchestration's input and ``continue_as_new`` state."""

    tenant_id: str
    integration_id: str
    page_size: int = DRAIN_PAGE_SIZE
    idle_wait_seconds: float = IDLE_WAIT_SECONDS
    pages_per_generation: int = PAGES_PER_GENERATION
    max_events_per_second: float = Field(default=MAX_EVENTS_PER_SECOND, gt=0)
    pages: int = 0
    events: int = 0
    stats: RunStats = Field(default_factory=RunStats)
    started_at: UtcDatetime | None = None
