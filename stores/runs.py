"""RunStore: one document per sync run (``runId`` is the orchestration instance id)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from core.models import Run
from stores.codec import from_stored, to_body
from stores.documents import Cond, DocumentCollection, Order, sortable_time


class RunStore(Protocol):
    def create(self, tenant_id: str, run: Run) -> Run:
        """Insert; ``RecordExists`` when the run id is taken."""
        ...

    def update(self, tenant_id: str, run: Run) -> Run:
        """Replace the run (stats, status, per-mapping progress); ``RecordNotFound`` if absent."""
        ...

    def get(self, tenant_id: str, run_id: str) -> Run | None: ...

    def list_for_integration(self, tenant_id: str, integration_id: str, limit: int = 50) -> list[Run]:
        """Newest first."""
        ...

    def purge_older_than(self, now: datetime, days: int) -> int:
        """Delete finished runs of every tenant that started more than ``days`` before ``now``."""
        ...


def _index(run: Run) -> dict[str, str]:
    return {"started": sortable_time(run.started_at)}


class DocumentRunStore:
    """``RunStore`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def create(self, tenant_id: str, run: Run) -> Run:
        run = run.model_copy(update={"tenant_id": tenant_id})
        return from_stored(Run, self._docs.create(tenant_id, run.run_id, to_body(run, **_index(run))))

    def update(self, tenant_id: str, run: Run) -> Run:
        run = run.model_copy(update={"tenant_id": tenant_id})
        stored = self._docs.replace(tenant_id, run.run_id, to_body(run, **_index(run)), if_match=None)
        return from_stored(Run, stored)

    def get(self, tenant_id: str, run_id: str) -> Run | None:
        stored = self._docs.get(tenant_id, run_id)
        return from_stored(Run, stored) if stored else None

    def list_for_integration(self, tenant_id: str, integration_id: str, limit: int = 50) -> list[Run]:
        found = self._docs.query(
            tenant_id, [Cond("integrationId", "=", integration_id)], [Order("ix.started", descending=True)], limit
        )
        return [from_stored(Run, s) for s in found]

    def purge_older_than(self, now: datetime, days: int) -> int:
        cutoff = sortable_time(now - timedelta(days=days))
        return self._docs.delete_where(None, [Cond("ix.started", "<", cutoff), Cond("status", "!=", "running")])
