"""The provider adapter interface: fetch a page from a cursor, write, describe limits, classify errors.

Everything here is a pydantic model that crosses activity boundaries as
``model_dump(mode="json")`` and comes back with ``Model.model_validate(...)``, except ``ExternalRecord``:
a typed dataclass, because a page holds thousands and a model costs twice as much to build. Adapters
build records from provider data they have already checked; pydantic still validates them whenever a
``Page`` is read back from JSON.

Cursor semantics (incremental reads, as in dlt's incremental):

- ``start`` is a *closed* lower boundary on the record's modified timestamp: the next
  query reads ``modified >= start - lag_seconds``. Closed, because several records can share
  the boundary timestamp and a page may have ended between them.
- ``boundary_ids`` are the ids already delivered whose modified timestamp equals ``start``;
  they are skipped when re-read, so the closed boundary never yields duplicates.
- ``lag_seconds`` widens the window backwards for providers whose writes become visible late
  (HubSpot search lags by seconds); records re-read inside the lag are deduplicated downstream
  by content, not here.
- ``end`` is an optional upper bound (backfills); ``None`` reads up to now.
- ``token`` is the provider's own continuation: a Salesforce ``nextRecordsUrl``, a HubSpot
  ``after``, a Dataverse ``@odata.nextLink`` or ``@odata.deltaLink``. ``query_start`` is the lower
  bound the in-flight query was issued with, for providers whose token does not encode the
  query (HubSpot search); ``offset`` counts the records read so far by that query (HubSpot
  search stops at 10,000); ``phase`` names the adapter's step in a multi-step read (HubSpot
  reads archived records, then changes).

A ``Page`` carries two cursors: ``next_cursor`` continues *this* run (``None`` when the run
has read everything), ``checkpoint`` is what to persist after the page: starting a new run
from it never skips a change. When ``resync_required`` is set the stored cursor is dead
(expired delta token, Graph 410): discard it and run a full sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, Field

from core.errors import SyncError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FetchMode(StrEnum):
    """``full`` reads every live record; ``incremental`` reads changes and deletions since the cursor."""

    FULL = "full"
    INCREMENTAL = "incremental"


class Cursor(_Model):
    """Where a read resumes; see the module docstring for the exact semantics."""

    start: datetime | None = None
    boundary_ids: list[str] = Field(default_factory=list)
    lag_seconds: float = 0.0
    end: datetime | None = None
    token: str | None = None
    query_start: datetime | None = None
    offset: int = 0
    phase: str | None = None


class FetchRequest(_Model):
    """One page request; ``entity`` is the provider object name (``Account``, ``contacts``, ``accounts``)."""

    entity: str
    mode: FetchMode = FetchMode.INCREMENTAL
    cursor: Cursor | None = None
    page_size: int = Field(default=200, ge=1, le=5000)
    fields: list[str] | None = None


@dataclass(slots=True, kw_only=True)  # not frozen: a frozen dataclass's __init__ costs twice as much, once per record
class ExternalRecord:
    """A provider record: ``data`` is the record exactly as the provider returned it.

    ``id`` is the provider's record id; ``version`` is what conditional writes send back
    (a Dataverse ``@odata.etag``, a Salesforce ``LastModifiedDate``); ``modified_at`` is the
    timestamp the incremental cursor advances on.
    """

    id: str
    version: str | None = None
    modified_at: datetime | None = None
    data: dict[str, Any]


class LimitSnapshot(_Model):
    """Rate-limit signals read from one response, in one shape for every provider.

    ``remaining``/``limit`` describe the short window (``window_seconds``); ``daily_*`` the day.
    ``retry_after`` is in seconds. Unknown values stay ``None``.
    """

    provider: str
    remaining: int | None = None
    limit: int | None = None
    window_seconds: float | None = None
    reset_at: datetime | None = None
    retry_after: float | None = None
    daily_used: int | None = None
    daily_limit: int | None = None


class ProviderLimits(_Model):
    """A provider's documented budget, the starting point before response headers say better."""

    provider: str
    requests_per_second: float | None = None
    window_requests: int | None = None
    window_seconds: float | None = None
    requests_per_day: int | None = None
    max_concurrency: int | None = None

    def with_overrides(self, overrides: dict[str, Any] | None) -> ProviderLimits:
        """Apply an Integration's ``rateLimits`` (``requestsPerSecond``, ``requestsPerDay``)."""
        if not overrides:
            return self
        update: dict[str, Any] = {}
        if overrides.get("requestsPerSecond") is not None:
            update["requests_per_second"] = float(overrides["requestsPerSecond"])
        if overrides.get("requestsPerDay") is not None:
            update["requests_per_day"] = int(overrides["requestsPerDay"])
        return self.model_copy(update=update)


# Defaults from the user's design (seed 002) and providers.md; the response headers win at run time.
DEFAULT_LIMITS: dict[str, ProviderLimits] = {
    "salesforce": ProviderLimits(provider="salesforce", requests_per_second=25, requests_per_day=100_000),
    # Dataverse service protection: 6,000 requests per user per 5-minute sliding window, 52 concurrent.
    "dynamics": ProviderLimits(
        provider="dynamics", window_requests=6_000, window_seconds=300, max_concurrency=52
    ),
    # HubSpot OAuth apps: 100 requests per 10 s per portal; the lowest documented daily tier.
    "hubspot": ProviderLimits(
        provider="hubspot", window_requests=100, window_seconds=10, requests_per_day=250_000
    ),
    "graph": ProviderLimits(provider="graph", requests_per_second=30),
    "gdrive": ProviderLimits(provider="gdrive", requests_per_second=10),
    # Zoom limits are per account and plan; Free "light" endpoints allow 4/s and 6,000/day.
    "zoom": ProviderLimits(provider="zoom", requests_per_second=4, requests_per_day=6_000),
    "gong": ProviderLimits(provider="gong", requests_per_second=3, requests_per_day=10_000),
}


class Page(_Model):
    """One page of a read: changed records, deleted ids, and the cursors to go on or persist."""

    records: list[ExternalRecord] = Field(default_factory=list)
    deleted_ids: list[str] = Field(default_factory=list)
    next_cursor: Cursor | None = None
    checkpoint: Cursor = Field(default_factory=Cursor)
    limits: LimitSnapshot | None = None
    resync_required: bool = False


class WriteResult(_Model):
    """The outcome of a create or update: the provider's id and the record's new version."""

    external_id: str
    version: str | None = None
    created: bool | None = None
    limits: LimitSnapshot | None = None


@runtime_checkable
class ProviderAdapter(Protocol):
    """What the engine needs from a provider. Methods raise ``core.errors.SyncError`` subclasses only."""

    provider: str

    async def fetch_page(self, req: FetchRequest) -> Page:
        """Read one page; follow ``page.next_cursor`` until it is ``None``."""
        ...

    async def create(
        self, entity: str, data: dict[str, Any], idempotency_key: str | None = None
    ) -> WriteResult:
        """Create a record; with ``idempotency_key`` a retried create must not duplicate it."""
        ...

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """Update a record; with ``if_version`` fail with PreconditionFailed if it changed since."""
        ...

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """Delete (or archive) a record; deleting a missing record raises NotFound."""
        ...

    def limits(self) -> ProviderLimits:
        """The provider's budget for this connection (defaults plus the Integration's overrides)."""
        ...

    def classify(self, response: httpx.Response) -> SyncError | None:
        """The typed error a provider response stands for, or ``None`` when it is a success."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP client if the adapter owns it."""
        ...
