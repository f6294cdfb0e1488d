"""DeadLetterStore: work that failed for good, listed and retried by the operations routes."""

from __future__ import annotations

from typing import Protocol

from core.models import DeadLetter, DeadLetterStatus
from stores.codec import from_stored, to_body
from stores.documents import Cond, Condition, DocumentCollection, Order, sortable_time


class DeadLetterStore(Protocol):
    def add(self, dead_letter: DeadLetter) -> DeadLetter:
        """Store (or overwrite, when the same id fails again) in the dead letter's tenant."""
        ...

    def get(self, tenant_id: str, dead_letter_id: str) -> DeadLetter | None: ...

    def list(self, tenant_id: str, status: DeadLetterStatus | None = None, limit: int = 100) -> list[DeadLetter]:
        """Most recent failure first."""
        ...

    def delete(self, tenant_id: str, dead_letter_id: str) -> bool: ...


class DocumentDeadLetterStore:
    """``DeadLetterStore`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def add(self, dead_letter: DeadLetter) -> DeadLetter:
        body = to_body(dead_letter, last=sortable_time(dead_letter.last_failed_at))
        stored, _ = self._docs.upsert(dead_letter.tenant_id, dead_letter.id, body)
        return from_stored(DeadLetter, stored)

    def get(self, tenant_id: str, dead_letter_id: str) -> DeadLetter | None:
        stored = self._docs.get(tenant_id, dead_letter_id)
        return from_stored(DeadLetter, stored) if stored else None

    def list(self, tenant_id: str, status: DeadLetterStatus | None = None, limit: int = 100) -> list[DeadLetter]:
        where: list[Condition] = [Cond("status", "=", status.value)] if status is not None else []
        found = self._docs.query(tenant_id, where, [Order("ix.last", descending=True)], limit)
        return [from_stored(DeadLetter, s) for s in found]

    def delete(self, tenant_id: str, dead_letter_id: str) -> bool:
        return self._docs.delete(tenant_id, dead_letter_id)
