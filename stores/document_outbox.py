"""``OutboxStore`` over any ``DocumentCollection`` (the Cosmos DB backend uses its ``outbox`` container).

Not transactional with the shard write: ``capturing()`` writes the entries right after the shard
change, in their own requests. A crash between the two loses the push of that one change (the shard
keeps it; the next local edit of the record queues it again). Closing the gap on Cosmos needs the
entries in the shards container, written with the shard in one transactional batch of the tenant's
partition; the Cosmos shard store writes shards one request at a time today.

Coalescing is an ETag compare-and-swap on the entry document; an acknowledged entry becomes an
``acked`` tombstone (a conditional replace, so a change that arrived meanwhile is never lost) that a
later change of the same record reuses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from stores.codec import to_body
from stores.documents import Cond, DocumentCollection, Order, Stored, sortable_time
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.outbox import OutboxChange, OutboxEntry, OutboxOp, OutboxStatus, coalesce

CAS_ATTEMPTS = 10
ACKED = "acked"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _doc_id(integration_id: str, shard_id: str) -> str:
    return f"{integration_id}|{shard_id}"


def _body(entry: OutboxEntry, status: str | None = None) -> dict[str, Any]:
    body = to_body(entry, due=sortable_time(entry.not_before or _EPOCH))
    if status is not None:
        body["status"] = status
    return body


def _entry(stored: Stored) -> OutboxEntry | None:
    if stored.body.get("status") == ACKED:
        return None
    body = {k: v for k, v in stored.body.items() if k not in ("ix", "id")}
    return OutboxEntry.model_validate(body)


class DocumentOutboxStore:
    """One document per (integration, shard) in the tenant's partition."""

    transactional = False

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    @contextmanager
    def capturing(self) -> Iterator[DocumentOutboxStore]:
        yield self

    def enqueue(self, changes: Sequence[OutboxChange], now: datetime) -> None:
        for change in changes:
            self._enqueue_one(change, now)

    def _enqueue_one(self, change: OutboxChange, now: datetime) -> None:
        doc_id = _doc_id(change.integration_id, change.shard_id)
        # Microseconds since the epoch: orders first changes across processes without a shared counter.
        seq = int((now - _EPOCH).total_seconds() * 1_000_000)
        for _ in range(CAS_ATTEMPTS):
            stored = self._docs.get(change.tenant_id, doc_id)
            current = _entry(stored) if stored is not None else None
            entry = coalesce(current, change, now, seq)
            try:
                if stored is None:
                    self._docs.create(change.tenant_id, doc_id, _body(entry))
                else:
                    self._docs.replace(change.tenant_id, doc_id, _body(entry), if_match=stored.etag)
                return
            except (StaleETag, RecordExists, RecordNotFound):
                continue
        raise StaleETag(f"outbox entry {doc_id!r} kept changing")

    def get(self, tenant_id: str, integration_id: str, shard_id: str) -> OutboxEntry | None:
        stored = self._docs.get(tenant_id, _doc_id(integration_id, shard_id))
        return _entry(stored) if stored is not None else None

    def ready(self, tenant_id: str, integration_id: str, now: datetime, limit: int) -> list[OutboxEntry]:
        found = self._docs.query(tenant_id, [
            Cond("integrationId", "=", integration_id), Cond("status", "=", OutboxStatus.PENDING.value),
            Cond("ix.due", "<=", sortable_time(now)),
        ], [Order("seq")], limit)
        return [e for e in (_entry(s) for s in found) if e is not None]

    def next_due_at(self, tenant_id: str, integration_id: str) -> datetime | None:
        found = self._docs.query(tenant_id, [
            Cond("integrationId", "=", integration_id), Cond("status", "=", OutboxStatus.PENDING.value),
            Cond("ix.due", ">", sortable_time(_EPOCH)),
        ], [Order("ix.due")], 1)
        entries = [e for e in (_entry(s) for s in found) if e is not None]
        return entries[0].not_before if entries else None

    def entries(self, tenant_id: str, integration_id: str, limit: int = 100) -> list[OutboxEntry]:
        found = self._docs.query(tenant_id, [
            Cond("integrationId", "=", integration_id), Cond("status", "!=", ACKED)], [Order("seq")], limit)
        return [e for e in (_entry(s) for s in found) if e is not None]

    def ack(self, tenant_id: str, integration_id: str, shard_id: str, revision: int) -> bool:
        doc_id = _doc_id(integration_id, shard_id)
        stored = self._docs.get(tenant_id, doc_id)
        current = _entry(stored) if stored is not None else None
        if stored is None or current is None or current.revision != revision:
            return False
        try:
            self._docs.replace(tenant_id, doc_id, _body(current, ACKED), if_match=stored.etag)
        except (StaleETag, RecordNotFound):
            return False
        return True

    def amend(self, tenant_id: str, integration_id: str, shard_id: str, fields: Mapping[str, Any]) -> bool:
        doc_id = _doc_id(integration_id, shard_id)
        for _ in range(CAS_ATTEMPTS):
            stored = self._docs.get(tenant_id, doc_id)
            current = _entry(stored) if stored is not None else None
            if stored is None or current is None:
                return False
            update = dict(fields)
            if update.get("external_id") and current.op == OutboxOp.CREATE:
                update["op"] = OutboxOp.UPDATE
            entry = OutboxEntry.model_validate({**current.model_dump(), **update})
            try:
                self._docs.replace(tenant_id, doc_id, _body(entry), if_match=stored.etag)
                return True
            except StaleETag:
                continue
        raise StaleETag(f"outbox entry {doc_id!r} kept changing")

    def integrations_with_work(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        found = self._docs.query(None, [Cond("status", "=", OutboxStatus.PENDING.value),
                                        Cond("ix.due", "<=", sortable_time(now))], [], limit * 10)
        pairs = dict.fromkeys((s.body["tenantId"], s.body["integrationId"]) for s in found)
        return list(pairs)[:limit]
