"""Shards, the internal records, and their links to external records (api.md's fields)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.models.base import DocumentModel, Identifier, NonEmptyStr, UtcDatetime
from core.models.enums import SyncDirection, SyncStatus


class ExternalRelationship(DocumentModel):
    """A shard's link to one record in one provider, with what the engine last saw of it."""

    system: NonEmptyStr
    integration_id: Identifier
    external_id: NonEmptyStr
    sync_direction: SyncDirection = SyncDirection.PULL
    last_synced_at: UtcDatetime | None = None
    sync_status: SyncStatus = SyncStatus.SYNCED
    remote_version: str | None = None
    content_hash: str | None = None
    # A manual conflict keeps the provider's version here (the shard keeps the local one) until resolved.
    conflict_data: dict[str, Any] | None = None
    # The shard's data as last synced, snapshotted by the first local edit after a sync: the base of
    # three-way conflict detection (None while the shard has not been edited locally since).
    base_data: dict[str, Any] | None = None


class Shard(DocumentModel):
    """An internal record: ``structuredData`` holds the mapped fields.

    ``deletedAt`` (an extension of api.md) marks a soft delete: a full sync found that the
    provider no longer has the record.
    """

    id: Identifier
    tenant_id: Identifier
    shard_type_id: Identifier
    structured_data: dict[str, Any] = Field(default_factory=dict)
    external_relationships: list[ExternalRelationship] = Field(default_factory=list)
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    etag: str | None = None
    deleted_at: UtcDatetime | None = None

    def relationship_for(self, integration_id: str) -> ExternalRelationship | None:
        """This shard's link to ``integration_id``, if any."""
        return next((r for r in self.external_relationships if r.integration_id == integration_id), None)


def shard_document(shard: Shard) -> dict[str, Any]:
    """The shard as stored: its camelCase JSON data without the ETag (the store owns that)."""
    return shard.model_dump(mode="json", by_alias=True, exclude={"etag"})
