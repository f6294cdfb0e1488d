"""IntegrationStore: integration documents per tenant, ETag compare-and-swap, and the
scheduler's cross-tenant due list."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from core.models import Integration, IntegrationState, Priority
from stores.codec import from_stored, to_body
from stores.documents import Cond, DocumentCollection, Order, sortable_time
from stores.errors import RecordNotFound

PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}


class IntegrationStore(Protocol):
    def get(self, tenant_id: str, integration_id: str) -> Integration | None: ...

    def list(self, tenant_id: str) -> list[Integration]: ...

    def put(self, tenant_id: str, integration_id: str, integration: Integration) -> tuple[Integration, bool]:
        """Create or replace; the flag is True when it was created."""
        ...

    def create(self, tenant_id: str, integration_id: str, integration: Integration) -> Integration:
        """Insert; ``RecordExists`` when the id is taken (two concurrent creates: one wins)."""
        ...

    def delete(self, tenant_id: str, integration_id: str) -> bool: ...

    def update(
        self, tenant_id: str, integration_id: str, changes: Mapping[str, Any], if_match: str | None = None
    ) -> Integration:
        """Change fields (Python attribute names) under an ETag compare-and-swap.

        ``StaleETag`` when ``if_match`` (or, without it, the version just read) is no longer current.
        """
        ...

    def list_due(self, now: datetime, limit: int) -> builtins.list[Integration]:
        """Active integrations of every tenant with ``nextSyncAt <= now``: high, normal, low
        priority first, then the most overdue."""
        ...

    def list_nightly(self, limit: int) -> builtins.list[Integration]:
        """Active integrations of every tenant with ``nightlyFullSync``, high priority first."""
        ...


def _index(integration: Integration) -> dict[str, Any]:
    due = integration.next_sync_at
    return {
        "rank": PRIORITY_RANK[integration.priority],
        "due": sortable_time(due) if due is not None else None,
        "state": integration.state.value,
    }


class DocumentIntegrationStore:
    """``IntegrationStore`` over any ``DocumentCollection`` (SQLite table or Cosmos container)."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def get(self, tenant_id: str, integration_id: str) -> Integration | None:
        stored = self._docs.get(tenant_id, integration_id)
        return from_stored(Integration, stored) if stored else None

    def list(self, tenant_id: str) -> list[Integration]:
        return [from_stored(Integration, s) for s in self._docs.query(tenant_id, order_by=[Order("id")])]

    def put(self, tenant_id: str, integration_id: str, integration: Integration) -> tuple[Integration, bool]:
        owned = integration.model_copy(update={"tenant_id": tenant_id, "integration_id": integration_id})
        stored, created = self._docs.upsert(tenant_id, integration_id, to_body(owned, **_index(owned)))
        return from_stored(Integration, stored), created

    def create(self, tenant_id: str, integration_id: str, integration: Integration) -> Integration:
        owned = integration.model_copy(update={"tenant_id": tenant_id, "integration_id": integration_id})
        return from_stored(Integration, self._docs.create(tenant_id, integration_id, to_body(owned, **_index(owned))))

    def delete(self, tenant_id: str, integration_id: str) -> bool:
        return self._docs.delete(tenant_id, integration_id)

    def update(
        self, tenant_id: str, integration_id: str, changes: Mapping[str, Any], if_match: str | None = None
    ) -> Integration:
        stored = self._docs.get(tenant_id, integration_id)
        if stored is None:
            raise RecordNotFound(f"integration {integration_id!r} not found")
        current = from_stored(Integration, stored)
        updated = Integration.model_validate({**current.model_dump(), **changes})
        saved = self._docs.replace(
            tenant_id, integration_id, to_body(updated, **_index(updated)), if_match=if_match or stored.etag
        )
        return from_stored(Integration, saved)

    def list_due(self, now: datetime, limit: int) -> builtins.list[Integration]:
        due = self._docs.query(
            None,
            [Cond("ix.state", "=", IntegrationState.ACTIVE.value), Cond("ix.due", "<=", sortable_time(now))],
            [Order("ix.rank"), Order("ix.due")],
            limit=limit,
        )
        return [from_stored(Integration, s) for s in due]

    def list_nightly(self, limit: int) -> builtins.list[Integration]:
        found = self._docs.query(
            None,
            [Cond("ix.state", "=", IntegrationState.ACTIVE.value), Cond("nightlyFullSync", "=", True)],
            [Order("ix.rank"), Order("id")],
            limit=limit,
        )
        return [from_stored(Integration, s) for s in found]
