"""Capture: a local shard write becomes outbox entries, in the same store transaction.

``capture_local_write`` runs around the one seam every local write goes through
(``api.shard_writes.apply_local_write``). For each integration that pushes the shard (its
``writeBack`` is enabled and a mapping of the shard's type has direction ``push`` or
``bidirectional``) it:

- marks the shard's relationship ``pending`` and, on the first local edit since the last sync,
  snapshots the data as last synced into ``baseData`` (the base of three-way conflict detection);
- enqueues a create (no relationship yet), update or delete (carrying the external id and last
  remote version, since the shard is gone when the push runs) into the integration's outbox.

Both happen inside ``OutboxStore.capturing()``, which the shard store's writes join (SQLite): the
change and its entry commit together or not at all. Syncs write shards directly and are never
captured, so a pull is not echoed back to the provider.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from core.models import EntityMapping, Integration, Shard, SyncDirection, SyncStatus
from stores.integrations import IntegrationStore
from stores.outbox import OutboxChange, OutboxOp
from stores.shards import ShardStore

PUSH_DIRECTIONS = (SyncDirection.PUSH, SyncDirection.BIDIRECTIONAL)


class WrittenShard(Protocol):
    """What the seam's write returns (``api.shard_writes.LocalWrite``, a frozen dataclass)."""

    @property
    def before(self) -> Shard | None: ...

    @property
    def after(self) -> Shard | None: ...


W = TypeVar("W", bound=WrittenShard)


@dataclass(frozen=True, slots=True)
class PushTarget:
    integration: Integration
    mapping: EntityMapping


def push_mapping(integration: Integration, shard_type_id: str) -> EntityMapping | None:
    """The integration's mapping that pushes shards of ``shard_type_id``, if write-back is on."""
    if not integration.write_back.enabled:
        return None
    return next((m for m in integration.entity_mappings
                 if m.shard_type_id == shard_type_id and m.direction in PUSH_DIRECTIONS), None)


def push_targets(integrations: Sequence[Integration], shard: Shard) -> list[PushTarget]:
    """Every integration that pushes ``shard``: those it is linked to; an unlinked shard (a local
    create) goes to every integration pushing its type."""
    linked = {r.integration_id for r in shard.external_relationships}
    targets = []
    for integration in integrations:
        if linked and integration.integration_id not in linked:
            continue
        mapping = push_mapping(integration, shard.shard_type_id)
        if mapping is not None:
            targets.append(PushTarget(integration, mapping))
    return targets


def outbox_changes(tenant_id: str, before: Shard | None, after: Shard | None,
                   targets: Sequence[PushTarget]) -> list[OutboxChange]:
    """The outbox changes of one local write (``after`` is None for a delete)."""
    shard = after or before
    assert shard is not None
    changes = []
    for target in targets:
        integration_id = target.integration.integration_id
        assert integration_id is not None
        relationship = shard.relationship_for(integration_id)
        op = OutboxOp.CREATE if relationship is None else OutboxOp.UPDATE
        if after is None:
            op = OutboxOp.DELETE
        changes.append(OutboxChange(
            tenant_id=tenant_id, integration_id=integration_id, shard_id=shard.id, op=op,
            entity=target.mapping.external_entity, shard_type_id=shard.shard_type_id,
            external_id=relationship.external_id if relationship else None,
            remote_version=relationship.remote_version if relationship else None,
        ))
    return changes


def mark_pending(before: Shard | None, after: Shard, targets: Sequence[PushTarget]) -> list[dict[str, object]] | None:
    """The relationships of ``after`` with every pushed one ``pending`` and its base snapshotted,
    as wire dicts for a patch; None when nothing changes."""
    pushed = {t.integration.integration_id for t in targets}
    changed = False
    relationships = []
    for rel in after.external_relationships:
        if rel.integration_id in pushed:
            base = rel.base_data
            if base is None:
                # The first local edit since the last sync: the data before it is the synced state.
                base = dict(before.structured_data) if before is not None else {}
            rel = rel.model_copy(update={"sync_status": SyncStatus.PENDING, "base_data": base})
            changed = True
        relationships.append(rel.to_wire())
    return relationships if changed else None


def capture_local_write(store: ShardStore, integrations: IntegrationStore, tenant_id: str, now: datetime,
                        shard_type_id: str, write: Callable[[], W]) -> W:
    """Run ``write`` (the seam's store write) and capture it for write-back in one transaction.

    ``shard_type_id`` is the type of the shard being written (its type after a patch).
    """
    from writeback.runtime import outbox_for  # the backend is known only at run time

    candidates = [i for i in integrations.list(tenant_id) if push_mapping(i, shard_type_id) is not None]
    if not candidates:
        return write()
    outbox = outbox_for(store)
    with outbox.capturing() as tx:
        written = write()
        shard = written.after or written.before
        assert shard is not None
        targets = push_targets(candidates, shard)
        after = written.after
        if after is not None:
            relationships = mark_pending(written.before, after, targets)
            if relationships is not None:
                after = store.patch(tenant_id, after.id, {"externalRelationships": relationships},
                                    if_match=after.etag)
        tx.enqueue(outbox_changes(tenant_id, written.before, after, targets), now)
    if after is written.after:
        return written
    return dataclasses.replace(written, after=after)  # type: ignore[type-var]
