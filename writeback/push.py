"""Pushing one outbox entry to its provider: create, update or delete, conditional and exactly once.

- **Create**: with an idempotency key (the shard id) the adapter upserts by the provider's external id
  field (Salesforce ``externalIdFields``, HubSpot ``uniqueProperties``), so a create retried after a
  crash finds the record it made. Without such a field a create is tried once: an entry whose create
  was already attempted is not re-sent (it may have landed) and fails for good instead.
- **Update**: sent with the last remote version seen (``If-Unmodified-Since`` / ``If-Match``, HubSpot
  compares ``updatedAt`` first). A lost precondition reads the record and resolves three-way
  (``writeback.outbound``) by the integration's ``conflictResolution``; every resolution is audited.
- **Delete**: conditional too; if the provider changed the record since, ``remote_wins`` keeps it and
  every other strategy deletes it anyway (audited). A record already gone counts as deleted.

Provider errors propagate as ``core.errors.SyncError``: the caller applies the retry policy.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from adapters.base import ProviderAdapter, WriteResult
from core.errors import NotFound, PermanentError, PreconditionFailed
from core.hashing import content_hash
from core.mapping import Mapper
from core.models import AuditRecord, ConflictResolution, Integration, Shard, SyncStatus
from stores.audit import AuditStore
from stores.outbox import OutboxEntry, OutboxOp, OutboxStore
from stores.shards import ShardStore
from writeback.external import idempotent_creates, known_after_create
from writeback.outbound import Action, OutboundDecision, resolve_outbound
from writeback.remote import read_remote
from writeback.shard_sync import Link, mark_conflict, settle

MAX_PRECONDITION_ROUNDS = 3


class PushStatus(StrEnum):
    PUSHED = "pushed"
    RESOLVED = "resolved"  # a conflict resolved without pushing (remote kept)
    CONFLICT = "conflict"  # left for a person (manual, or merge with fields changed on both sides)
    SKIPPED = "skipped"  # nothing to push any more (shard gone, never created, awaiting resolution)


@dataclass(frozen=True)
class PushContext:
    """Everything one batch of pushes for one integration and mapping needs."""

    integration: Integration
    mapper: Mapper  # reads: what the provider's records map to (hashes, remote state)
    writer: Mapper  # writes: the provider fields sent (``writeback.external``)
    adapter: ProviderAdapter
    shards: ShardStore
    outbox: OutboxStore
    audit: AuditStore
    now: Callable[[], datetime]

    @property
    def link(self) -> Link:
        integration = self.integration
        assert integration.tenant_id is not None and integration.integration_id is not None
        return Link(integration.tenant_id, integration.integration_id, integration.provider.value,
                    self.mapper.entity_mapping.direction)

    def idempotent_creates(self, entity: str) -> bool:
        """Whether creates of ``entity`` are upserts on a provider-side key (exactly once)."""
        return idempotent_creates(self.integration.provider.value, self.integration.connection, entity)


def _audit(ctx: PushContext, action: str, entry: OutboxEntry, **details: Any) -> None:
    ctx.audit.append(AuditRecord(
        id=uuid.uuid4().hex, tenant_id=entry.tenant_id, integration_id=entry.integration_id, action=action,
        at=ctx.now(), details={"shardId": entry.shard_id, "strategy": ctx.integration.conflict_resolution.value,
                               **details},
    ))


def _finish(ctx: PushContext, entry: OutboxEntry, external_id: str | None = None, version: str | None = None) -> None:
    """Acknowledge the entry; if a newer change arrived meanwhile, keep it with what was learnt."""
    if ctx.outbox.ack(entry.tenant_id, entry.integration_id, entry.shard_id, entry.revision):
        return
    fields: dict[str, Any] = {"attempts": 0, "reason": None}
    if external_id is not None:
        fields.update(external_id=external_id, remote_version=version)
    ctx.outbox.amend(entry.tenant_id, entry.integration_id, entry.shard_id, fields)


async def push_entry(ctx: PushContext, entry: OutboxEntry) -> PushStatus:
    """Push ``entry`` (its shard's latest state) and settle the shard and the outbox."""
    if entry.op == OutboxOp.DELETE:
        return await _delete(ctx, entry)
    shard = ctx.shards.get(entry.tenant_id, entry.shard_id)
    if shard is None:  # deleted since: a delete entry replaces this one
        _finish(ctx, entry)
        return PushStatus.SKIPPED
    relationship = shard.relationship_for(entry.integration_id)
    if relationship is None:
        return await _create(ctx, entry, shard)
    if relationship.sync_status == SyncStatus.CONFLICT:
        _finish(ctx, entry)  # waits for a resolution through the conflicts API, which re-queues it
        return PushStatus.SKIPPED
    if relationship.sync_status == SyncStatus.SYNCED and relationship.content_hash == content_hash(
            ctx.mapper.project(shard.structured_data)):
        _finish(ctx, entry)  # a pull already brought the provider and the shard together
        return PushStatus.SKIPPED
    return await _update(ctx, entry, shard)


async def _create(ctx: PushContext, entry: OutboxEntry, shard: Shard) -> PushStatus:
    if entry.attempts > 1 and not ctx.idempotent_creates(entry.entity):
        raise PermanentError(
            f"a create of {entry.entity} was already attempted and the provider has no idempotency key "
            "configured for it: not re-sent, to avoid a duplicate", provider=ctx.integration.provider.value)
    data = ctx.writer.to_external(shard.structured_data)
    result = await ctx.adapter.create(entry.entity, data, idempotency_key=shard.id)
    known = known_after_create(ctx.integration.provider.value, ctx.mapper.entity_mapping, result.external_id)
    settled = settle(ctx.shards, ctx.link, shard.id, ctx.mapper, external_id=result.external_id,
                     version=result.version, synced={**shard.structured_data, **known}, now=ctx.now(),
                     data_update=known or None)
    if settled is None:  # deleted locally while the create was in flight: the delete needs the id
        ctx.outbox.amend(entry.tenant_id, entry.integration_id, entry.shard_id,
                         {"external_id": result.external_id, "remote_version": result.version})
        return PushStatus.PUSHED
    _finish(ctx, entry, result.external_id, result.version)
    return PushStatus.PUSHED


async def _update(ctx: PushContext, entry: OutboxEntry, shard: Shard) -> PushStatus:
    relationship = shard.relationship_for(entry.integration_id)
    assert relationship is not None
    pushed, version, decision = dict(shard.structured_data), relationship.remote_version, None
    for _ in range(MAX_PRECONDITION_ROUNDS):
        try:
            result = await ctx.adapter.update(entry.entity, relationship.external_id,
                                              ctx.writer.to_external(pushed), if_version=version)
            break
        except PreconditionFailed:
            remote, decision = await _resolve(ctx, entry, shard)
            if decision.action != Action.PUSH:
                return _settle_without_push(ctx, entry, shard, remote, decision)
            pushed, version = {**shard.structured_data, **decision.data}, remote.version
    else:
        raise PreconditionFailed("the record kept changing in the provider while pushing",
                                 provider=ctx.integration.provider.value)
    update = decision.data if decision is not None else None
    _settled(ctx, entry, shard, result, pushed, update)
    return PushStatus.PUSHED


def _settled(ctx: PushContext, entry: OutboxEntry, shard: Shard, result: WriteResult, pushed: dict[str, Any],
             update: dict[str, Any] | None) -> None:
    settle(ctx.shards, ctx.link, shard.id, ctx.mapper, external_id=result.external_id, version=result.version,
           synced=pushed, now=ctx.now(), data_update=update)
    _finish(ctx, entry)


async def _resolve(ctx: PushContext, entry: OutboxEntry, shard: Shard) -> tuple[Any, OutboundDecision]:
    relationship = shard.relationship_for(entry.integration_id)
    assert relationship is not None
    remote = await read_remote(ctx.adapter, entry.entity, relationship.external_id)
    mapped = ctx.mapper.map_page([remote.data]).records[0] or {}
    decision = resolve_outbound(
        ctx.writer.entity_mapping, ctx.integration.conflict_resolution,
        local=shard.structured_data, remote=mapped, base=relationship.base_data,
        local_changed_at=shard.updated_at, remote_changed_at=remote.modified_at,
        last_synced_at=relationship.last_synced_at,
    )
    action = "writeback.conflict" if decision.action == Action.CONFLICT else "writeback.conflict_resolved"
    _audit(ctx, action, entry, externalId=relationship.external_id, outcome=decision.outcome.value,
           decision=decision.action.value, fields=decision.conflicts, remoteVersion=remote.version)
    return remote, decision


def _settle_without_push(ctx: PushContext, entry: OutboxEntry, shard: Shard, remote: Any,
                         decision: OutboundDecision) -> PushStatus:
    relationship = shard.relationship_for(entry.integration_id)
    assert relationship is not None
    mapped_full = ctx.mapper.map_page([remote.data]).records[0] or {}
    if decision.action == Action.CONFLICT:
        mark_conflict(ctx.shards, ctx.link, shard.id, remote=decision.remote, remote_hash=content_hash(mapped_full),
                      version=remote.version, data=decision.data)
        _finish(ctx, entry)
        return PushStatus.CONFLICT
    synced = {**shard.structured_data, **mapped_full}
    settle(ctx.shards, ctx.link, shard.id, ctx.mapper, external_id=relationship.external_id,
           version=remote.version, synced=synced, now=ctx.now(), data_update=decision.data)
    _finish(ctx, entry)
    return PushStatus.RESOLVED


async def _delete(ctx: PushContext, entry: OutboxEntry) -> PushStatus:
    if entry.external_id is None:  # never created remotely
        _finish(ctx, entry)
        return PushStatus.SKIPPED
    try:
        await ctx.adapter.delete(entry.entity, entry.external_id, if_version=entry.remote_version)
    except NotFound:
        pass  # already gone (a retried delete, or deleted remotely too)
    except PreconditionFailed:
        keep = ctx.integration.conflict_resolution == ConflictResolution.REMOTE_WINS
        _audit(ctx, "writeback.conflict_resolved", entry, externalId=entry.external_id, outcome=(
            "kept_remote" if keep else "deleted"), decision="delete")
        if keep:
            _finish(ctx, entry)
            return PushStatus.RESOLVED
        with contextlib.suppress(NotFound):
            await ctx.adapter.delete(entry.entity, entry.external_id)
    _finish(ctx, entry)
    return PushStatus.PUSHED
