"""The one door for shard writes made through the API (people and apps, not syncs).

Every local create, patch and delete goes through ``apply_local_write``, which returns the shard
before and after the write. Write-back (issue 7) captures outbound changes here: a local write to
a shard linked to an integration with ``writeBack.enabled`` becomes a pending push. Syncs write
through ``ShardStore.upsert_many`` directly and never come through here, so they are not echoed
back to the provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.models import Shard
from services import get_services
from stores.errors import RecordNotFound
from stores.shards import ShardStore
from stores.tokens import wire_time
from writeback.capture import capture_local_write


@dataclass(frozen=True)
class CreateShard:
    shard: Shard


@dataclass(frozen=True)
class PatchShard:
    """Set top-level fields (camelCase wire names) of ``current``, if it is still the stored version."""

    current: Shard
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class DeleteShard:
    current: Shard


LocalChange = CreateShard | PatchShard | DeleteShard


@dataclass(frozen=True)
class LocalWrite:
    """What a local write did: ``before`` is None for a create, ``after`` None for a delete."""

    tenant_id: str
    shard_id: str
    before: Shard | None
    after: Shard | None


def apply_local_write(store: ShardStore, tenant_id: str, change: LocalChange, now: datetime) -> LocalWrite:
    """Apply ``change`` for ``tenant_id`` and stamp ``updatedAt``. Store errors pass through:
    ``RecordExists`` (create), ``StaleETag`` (the shard changed since ``current`` was read),
    ``RecordNotFound``. Write-back captures the change in the same transaction."""
    if isinstance(change, CreateShard):
        shard_type_id = change.shard.shard_type_id
    elif isinstance(change, PatchShard):
        shard_type_id = str(change.changes.get("shardTypeId", change.current.shard_type_id))
    else:
        shard_type_id = change.current.shard_type_id
    integrations = get_services().stores.integrations
    return capture_local_write(store, integrations, tenant_id, now, shard_type_id,
                               lambda: _write(store, tenant_id, change, now))


def _write(store: ShardStore, tenant_id: str, change: LocalChange, now: datetime) -> LocalWrite:
    if isinstance(change, CreateShard):
        shard = change.shard.model_copy(update={"tenant_id": tenant_id, "created_at": now, "updated_at": now})
        return LocalWrite(tenant_id, shard.id, None, store.create(tenant_id, shard))
    before = change.current
    if isinstance(change, PatchShard):
        changes = {**change.changes, "updatedAt": wire_time(now)}
        after = store.patch(tenant_id, before.id, changes, if_match=before.etag)
        return LocalWrite(tenant_id, before.id, before, after)
    if not store.delete(tenant_id, before.id):
        raise RecordNotFound(f"shard {before.id!r} not found")
    return LocalWrite(tenant_id, before.id, before, None)
