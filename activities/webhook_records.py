"""Reading the records behind thin webhook events (events that carry ids, not data) through the adapter.

An adapter that can read records by id offers ``read_records(entity, ids, fields)`` (optional, duck
typed: ``RecordReader``). Every adapter can read its changes since a moment, so otherwise the records
are found in an incremental read from the earliest event's time (minus ``CLOCK_SKEW``), which stops as
soon as every wanted id was seen (or reported deleted), after at most ``MAX_WINDOW_PAGES`` pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from adapters.base import Cursor, ExternalRecord, FetchMode, FetchRequest, ProviderAdapter

CLOCK_SKEW = timedelta(minutes=2)
MAX_WINDOW_PAGES = 20
WINDOW_PAGE_SIZE = 200


@runtime_checkable
class RecordReader(Protocol):
    """An adapter that reads records by id (one request per batch where the provider allows it)."""

    async def read_records(self, entity: str, ids: list[str], fields: list[str] | None) -> list[ExternalRecord]:
        ...


@dataclass
class Found:
    """The wanted records found live, the ids found deleted, and the last page's rate-limit signals."""

    records: dict[str, ExternalRecord] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    limits: dict[str, object] | None = None


async def read_records(
    adapter: ProviderAdapter, entity: str, ids: list[str], fields: list[str] | None, since: datetime
) -> Found:
    """The current state of ``ids``; raises ``core.errors.SyncError`` subclasses as the adapter does."""
    wanted = set(ids)
    if isinstance(adapter, RecordReader):
        records = await adapter.read_records(entity, sorted(wanted), fields)
        found = Found({r.id: r for r in records if r.id in wanted})
        return found
    found = Found()
    cursor: Cursor | None = Cursor(start=since - CLOCK_SKEW)
    for _ in range(MAX_WINDOW_PAGES):
        request = FetchRequest(entity=entity, mode=FetchMode.INCREMENTAL, cursor=cursor,
                               page_size=WINDOW_PAGE_SIZE, fields=fields)
        page = await adapter.fetch_page(request)
        for record in page.records:
            if record.id in wanted:
                found.records[record.id] = record  # later pages hold later versions
        found.deleted |= wanted & set(page.deleted_ids)
        found.limits = page.limits.model_dump(mode="json") if page.limits else found.limits
        cursor = page.next_cursor
        if cursor is None or wanted <= found.records.keys() | found.deleted:
            break
    for gone in found.deleted:
        found.records.pop(gone, None)
    return found
