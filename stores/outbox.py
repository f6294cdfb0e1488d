"""The write-back outbox: per-integration, ordered, coalescing queue of local shard changes to push.

One entry per (tenant, integration, shard): a new change to a shard that already has an entry is
*coalesced* into it (``coalesce``), so several edits become one push of the shard's latest state.
``seq`` orders entries (kept from the first change, so a busy record is not starved); ``revision``
counts the changes folded in. A pusher acknowledges with the revision it pushed: if another change
arrived meanwhile the revision moved on, the ack does nothing and the entry is pushed again.

The store's ``capturing()`` writes entries in the same transaction as the shard change it runs
around (SQLite); see ``stores.sqlite.outbox`` and ``stores.cosmos_outbox`` for each backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from core.models.base import DocumentModel, Identifier, UtcDatetime


class OutboxOp(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to push (from ``notBefore`` when set)
    DEAD = "dead"  # failed for good: a dead letter names it; only a retry re-queues it


class OutboxChange(DocumentModel):
    """One captured local change. ``external_id``/``remote_version`` come from the shard's
    relationship (a delete needs them: the shard is gone when the push runs)."""

    tenant_id: Identifier
    integration_id: Identifier
    shard_id: Identifier
    op: OutboxOp
    entity: str
    shard_type_id: str
    external_id: str | None = None
    remote_version: str | None = None


class OutboxEntry(OutboxChange):
    """A queued push: the latest change of one shard plus the queue's bookkeeping."""

    seq: int = 0
    revision: int = 1
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    not_before: UtcDatetime | None = None
    reason: str | None = None
    enqueued_at: UtcDatetime
    updated_at: UtcDatetime


def _op_after(existing: OutboxOp, new: OutboxOp) -> OutboxOp:
    if existing == OutboxOp.CREATE and new == OutboxOp.UPDATE:
        return OutboxOp.CREATE  # not created remotely yet: the create carries the latest state
    return new


def coalesce(existing: OutboxEntry | None, change: OutboxChange, now: datetime, seq: int) -> OutboxEntry:
    """The entry after ``change`` is folded into ``existing`` (``seq`` is used for a new entry).

    The latest operation wins, except that an update of a not-yet-created record stays a create.
    A create then delete stays a delete (the create may already have reached the provider).
    ``dead`` entries stay dead (a retry re-queues them with the latest state); a throttled
    entry keeps its ``notBefore`` and reason.
    """
    if existing is None:
        return OutboxEntry(**change.model_dump(), seq=seq, enqueued_at=now, updated_at=now)
    op = _op_after(existing.op, change.op)
    return existing.model_copy(update={
        "op": op,
        "entity": change.entity,
        "shard_type_id": change.shard_type_id,
        "external_id": change.external_id or existing.external_id,
        "remote_version": change.remote_version or existing.remote_version,
        "revision": existing.revision + 1,
        "updated_at": now,
    })


class OutboxWriter(Protocol):
    def enqueue(self, changes: Sequence[OutboxChange], now: datetime) -> None:
        """Coalesce ``changes`` into the outbox, inside the enclosing transaction."""
        ...


class OutboxStore(Protocol):
    """The outbox of every integration of every tenant on one backend."""

    #: Whether ``capturing()`` commits the outbox entries atomically with the shard write.
    transactional: bool

    def capturing(self) -> AbstractContextManager[OutboxWriter]:
        """A transaction that the shard store's writes join; entries enqueued in it commit with them."""
        ...

    def enqueue(self, changes: Sequence[OutboxChange], now: datetime) -> None:
        """Coalesce ``changes`` on their own (engine writes, re-queues)."""
        ...

    def get(self, tenant_id: str, integration_id: str, shard_id: str) -> OutboxEntry | None: ...

    def ready(self, tenant_id: str, integration_id: str, now: datetime, limit: int) -> list[OutboxEntry]:
        """Pending entries due at ``now``, in ``seq`` order."""
        ...

    def next_due_at(self, tenant_id: str, integration_id: str) -> datetime | None:
        """The earliest ``notBefore`` of the pending entries that wait for one (None: none wait)."""
        ...

    def entries(self, tenant_id: str, integration_id: str, limit: int = 100) -> list[OutboxEntry]:
        """Every entry (pending, waiting and dead), in ``seq`` order."""
        ...

    def ack(self, tenant_id: str, integration_id: str, shard_id: str, revision: int) -> bool:
        """Remove the entry if it is still at ``revision``; False when a newer change arrived."""
        ...

    def amend(self, tenant_id: str, integration_id: str, shard_id: str, fields: Mapping[str, Any]) -> bool:
        """Set bookkeeping ``fields`` (snake_case: status, attempts, not_before, reason, external_id,
        remote_version) on the entry, whatever its revision. An entry that learns its external id
        stops being a create. False when there is no entry."""
        ...

    def integrations_with_work(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """(tenant, integration) pairs with pending entries due at ``now``."""
        ...


def iter_pending(entries: Sequence[OutboxEntry]) -> Iterator[OutboxEntry]:
    """The pending ones of ``entries`` (a listing's helper)."""
    return (e for e in entries if e.status == OutboxStatus.PENDING)
