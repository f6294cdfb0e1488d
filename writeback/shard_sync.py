"""The engine's own shard writes after a push: the relationship learns what the provider now has.

These go straight to the shard store (never through the local-write seam), so they are not captured
again. Each is a compare-and-swap on the shard's ETag, re-read and re-applied when a local edit
slipped in between: that edit keeps its data and its own outbox entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.hashing import content_hash
from core.mapping import Mapper
from core.models import ExternalRelationship, Shard, SyncDirection, SyncStatus
from stores.errors import RecordNotFound, StaleETag
from stores.shards import ShardStore

CAS_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Link:
    """Which relationship to write: the integration, its provider and the mapping's direction."""

    tenant_id: str
    integration_id: str
    system: str
    direction: SyncDirection


def _replace(shard: Shard, relationship: ExternalRelationship) -> list[dict[str, Any]]:
    others = [r for r in shard.external_relationships if r.integration_id != relationship.integration_id]
    return [r.to_wire() for r in [*others, relationship]]


def _patch(store: ShardStore, link: Link, shard_id: str, build: Any) -> Shard | None:
    """Apply ``build(shard) -> changes`` under ETag CAS; None when the shard is gone."""
    for _ in range(CAS_ATTEMPTS):
        shard = store.get(link.tenant_id, shard_id)
        if shard is None:
            return None
        try:
            return store.patch(link.tenant_id, shard_id, build(shard), if_match=shard.etag)
        except StaleETag:
            continue
        except RecordNotFound:
            return None
    raise StaleETag(f"shard {shard_id!r} kept changing while write-back settled it")


def settle(store: ShardStore, link: Link, shard_id: str, mapper: Mapper, *, external_id: str,
           version: str | None, synced: Mapping[str, Any], now: datetime,
           data_update: Mapping[str, Any] | None = None) -> Shard | None:
    """Record that the provider now holds ``synced`` (shard data) at ``version``.

    The content hash is of ``synced`` as the mapping projects it, which is what the next pull of
    this record hashes to: that pull counts it as unchanged (echo suppression). ``data_update``
    also writes provider values into the shard (remote or merged values). If the shard has been
    edited since, it stays ``pending`` with ``synced`` as its new base.
    """
    synced_projection = mapper.project(synced)

    def build(shard: Shard) -> dict[str, Any]:
        data = {**shard.structured_data, **(data_update or {})}
        current = shard.relationship_for(link.integration_id)
        behind = mapper.project(data) != synced_projection
        relationship = ExternalRelationship(
            system=current.system if current else link.system, integration_id=link.integration_id,
            external_id=external_id, sync_direction=current.sync_direction if current else link.direction,
            last_synced_at=now, sync_status=SyncStatus.PENDING if behind else SyncStatus.SYNCED,
            remote_version=version, content_hash=content_hash(synced_projection),
            base_data=dict(synced) if behind else None,
        )
        changes: dict[str, Any] = {"externalRelationships": _replace(shard, relationship)}
        if data_update:
            changes["structuredData"] = data
        return changes

    return _patch(store, link, shard_id, build)


def mark_conflict(store: ShardStore, link: Link, shard_id: str, *, remote: Mapping[str, Any],
                  remote_hash: str, version: str | None, data: Mapping[str, Any] | None) -> Shard | None:
    """Keep both versions: the shard keeps ``data`` (local or merged), the relationship becomes
    ``conflict`` with the provider's values in ``conflictData`` and its version as ``remoteVersion``."""

    def build(shard: Shard) -> dict[str, Any]:
        current = shard.relationship_for(link.integration_id)
        assert current is not None
        relationship = current.model_copy(update={
            "sync_status": SyncStatus.CONFLICT, "conflict_data": dict(remote), "remote_version": version,
            "content_hash": remote_hash,
        })
        changes: dict[str, Any] = {"externalRelationships": _replace(shard, relationship)}
        if data is not None:
            changes["structuredData"] = {**shard.structured_data, **data}
        return changes

    return _patch(store, link, shard_id, build)


def mark_failed(store: ShardStore, link: Link, shard_id: str) -> Shard | None:
    """The push failed for good (a dead letter names it): the relationship shows ``failed``."""

    def build(shard: Shard) -> dict[str, Any]:
        current = shard.relationship_for(link.integration_id)
        if current is None:
            return {}
        failed = current.model_copy(update={"sync_status": SyncStatus.FAILED})
        return {"externalRelationships": _replace(shard, failed)}

    return _patch(store, link, shard_id, build)
