"""The document-collection seam that the simple stores are written against.

A collection holds JSON documents partitioned by tenant. SQLite (one table per collection)
and Cosmos DB (one container per collection, partition key ``/tenantId``) implement it, so the
integration, run, sync-state, dead-letter, audit, webhook and credential stores are written
once and tested against both. The hot-path shard and staging stores have their own
implementations because they batch differently on each backend.

Query conditions name fields by dotted path (``ix.due``); stores keep the values they filter
or sort on in a small ``ix`` object of sortable scalars inside each document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

Op = Literal["=", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Cond:
    """``field <op> value``; ``field`` is a dotted path into the document."""

    field: str
    op: Op
    value: Any


@dataclass(frozen=True, slots=True)
class In:
    """``field`` is one of ``values``."""

    field: str
    values: Sequence[Any]


Condition = Cond | In


@dataclass(frozen=True, slots=True)
class Order:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Stored:
    """A document as read back, with the backend's ETag."""

    body: dict[str, Any]
    etag: str


class DocumentCollection(Protocol):
    """Tenant-partitioned JSON documents with ETag concurrency.

    Every method but ``query(None, ...)`` is scoped to one tenant: another tenant's id is
    simply absent. ``body`` never needs ``id``/``tenantId``: the collection sets them.
    """

    def get(self, tenant_id: str, doc_id: str) -> Stored | None: ...

    def create(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> Stored:
        """Insert; ``RecordExists`` when the id is taken."""
        ...

    def upsert(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> tuple[Stored, bool]:
        """Create or replace; the flag says whether it was created."""
        ...

    def replace(self, tenant_id: str, doc_id: str, body: dict[str, Any], if_match: str | None) -> Stored:
        """Replace an existing document; ``RecordNotFound`` or ``StaleETag`` on mismatch."""
        ...

    def delete(self, tenant_id: str, doc_id: str) -> bool:
        """Remove; False when it did not exist."""
        ...

    def query(
        self,
        tenant_id: str | None,
        where: Sequence[Condition] = (),
        order_by: Sequence[Order] = (),
        limit: int | None = None,
    ) -> list[Stored]:
        """Documents of one tenant (or of all tenants when ``tenant_id`` is None) matching all
        conditions, ordered, at most ``limit``."""
        ...

    def delete_where(self, tenant_id: str | None, where: Sequence[Condition]) -> int:
        """Remove every matching document; returns how many."""
        ...


def sortable_time(value: datetime) -> str:
    """A UTC timestamp as a fixed-width string, so string order is time order on both backends
    (ISO strings with and without fractional seconds do not compare correctly)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now() -> datetime:
    """The default clock of stores that timestamp what they write (tests inject their own)."""
    return datetime.now(UTC)
