"""SyncStateStore: the cursor and checkpoint of each (tenant, integration, entity mapping).

Saved after every page; the version compare-and-swap makes a stale orchestration replay
(or a second writer) fail with ``StaleETag`` instead of moving a cursor backwards.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import Field

from core.models import DocumentModel, Identifier, UtcDatetime
from stores.codec import from_stored, to_body
from stores.documents import Cond, DocumentCollection
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.fields import safe_id


class SyncCheckpoint(DocumentModel):
    """Where a mapping's incremental sync stands. ``cursor`` is the adapter's own JSON."""

    tenant_id: Identifier
    integration_id: Identifier
    mapping_key: str = Field(min_length=1, max_length=200)
    cursor: Any = None
    run_id: str | None = None
    pages: int = 0
    version: int = 0
    updated_at: UtcDatetime | None = None


def checkpoint_id(integration_id: str, mapping_key: str) -> str:
    return safe_id(f"{integration_id}:{mapping_key}")


class SyncStateStore(Protocol):
    def get(self, tenant_id: str, integration_id: str, mapping_key: str) -> SyncCheckpoint | None: ...

    def put(self, tenant_id: str, checkpoint: SyncCheckpoint, expected_version: int) -> SyncCheckpoint:
        """Save when the stored version equals ``expected_version`` (0: must not exist yet);
        returns the checkpoint with ``version = expected_version + 1``. ``StaleETag`` otherwise."""
        ...

    def delete_for_integration(self, tenant_id: str, integration_id: str) -> int: ...


class DocumentSyncStateStore:
    """``SyncStateStore`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def get(self, tenant_id: str, integration_id: str, mapping_key: str) -> SyncCheckpoint | None:
        stored = self._docs.get(tenant_id, checkpoint_id(integration_id, mapping_key))
        return from_stored(SyncCheckpoint, stored) if stored else None

    def put(self, tenant_id: str, checkpoint: SyncCheckpoint, expected_version: int) -> SyncCheckpoint:
        doc_id = checkpoint_id(checkpoint.integration_id, checkpoint.mapping_key)
        new = checkpoint.model_copy(update={"tenant_id": tenant_id, "version": expected_version + 1})
        if expected_version == 0:
            try:
                return from_stored(SyncCheckpoint, self._docs.create(tenant_id, doc_id, to_body(new)))
            except RecordExists as exc:
                raise StaleETag(f"checkpoint {doc_id!r} already exists") from exc
        stored = self._docs.get(tenant_id, doc_id)
        if stored is None or from_stored(SyncCheckpoint, stored).version != expected_version:
            raise StaleETag(f"checkpoint {doc_id!r} is not at version {expected_version}")
        try:
            saved = self._docs.replace(tenant_id, doc_id, to_body(new), if_match=stored.etag)
        except RecordNotFound as exc:
            raise StaleETag(f"checkpoint {doc_id!r} was deleted") from exc
        return from_stored(SyncCheckpoint, saved)

    def delete_for_integration(self, tenant_id: str, integration_id: str) -> int:
        return self._docs.delete_where(tenant_id, [Cond("integrationId", "=", integration_id)])
