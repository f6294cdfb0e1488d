"""AuditStore: an append-only trail of audited actions (credential refreshes, rejections...)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Protocol

from core.models import AuditRecord
from stores.codec import from_stored, to_body
from stores.documents import Cond, Condition, DocumentCollection, Order, sortable_time


def new_audit_id(at: datetime) -> str:
    """A fresh record id that sorts by time: 12 hex digits of Unix milliseconds, then 20 random ones.

    Records are appended in time order, so on SQLite these ids land at the end of the table's key
    order, where a batch of records shares a page; a random id (uuid4) dirties a page anywhere in
    the table for each record, and every commit writes each dirtied page out.
    """
    return f"{int(at.timestamp() * 1000):012x}{os.urandom(10).hex()}"


class AuditStore(Protocol):
    def append(self, record: AuditRecord) -> AuditRecord:
        """Insert; ``RecordExists`` when the id was already used (records are never rewritten)."""
        ...

    def list(self, tenant_id: str, action: str | None = None, limit: int = 100) -> list[AuditRecord]:
        """Newest first, optionally only one ``action`` kind (e.g. ``credential.refreshed``)."""
        ...


class DocumentAuditStore:
    """``AuditStore`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def append(self, record: AuditRecord) -> AuditRecord:
        # What was written is the record itself (audit records carry no ETag): no need to validate it again,
        # which every webhook delivery would pay for.
        self._docs.create(record.tenant_id, record.id, to_body(record, at=sortable_time(record.at)))
        return record

    def list(self, tenant_id: str, action: str | None = None, limit: int = 100) -> list[AuditRecord]:
        where: list[Condition] = [Cond("action", "=", action)] if action is not None else []
        found = self._docs.query(tenant_id, where, [Order("ix.at", descending=True)], limit)
        return [from_stored(AuditRecord, s) for s in found]
