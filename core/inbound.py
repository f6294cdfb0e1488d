"""Applying a page of provider records to shards: dedup decisions in, shards to write out.

Pure. The save activity looks up the shards a page touches, asks ``core.dedup.plan_page`` what each
record does, then ``apply_page`` builds the shards to upsert, as stored documents (``shard_document``): new
shards, updated data with the relationship refreshed (remote version, content hash, sync time), and conflict
handling for shards edited locally since their last sync (``core.conflicts.resolve_inbound`` with the
integration's strategy).

New shards (most of a first sync) are not built as models one by one: validating and dumping 2,000 models
cost a page more than everything else in planning it. The first is built and validated as a ``Shard``, and
its document is the template of the others, which differ only in values the engine made (ids, hashes) or the
mapper produced (JSON data) and the external id, whose one constraint (1 to 1,000 characters) is checked here.
Updates of shards nobody edited since their last sync are made on their stored documents (``core.refresh``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from core.conflicts import InboundChange, Outcome, resolve_inbound
from core.dedup import Decision, DedupAction, Incoming
from core.models import ConflictResolution, ExternalRelationship, Shard, SyncDirection, SyncStatus, shard_document
from core.models.base import TEXT_MAX_LENGTH
from core.refresh import own_clean_link, refreshed_document


@dataclass(frozen=True, slots=True)
class PageContext:
    tenant_id: str
    integration_id: str
    system: str
    shard_type_id: str
    direction: SyncDirection
    conflict_resolution: ConflictResolution
    now: datetime


class RemoteInfo(Protocol):
    """What the provider said about a record besides its data (``RemoteMeta`` or a lazier equivalent)."""

    @property
    def version(self) -> str | None: ...

    @property
    def modified_at(self) -> datetime | None: ...


class RemoteMeta(NamedTuple):
    """What the provider said about a record besides its data."""

    version: str | None = None
    modified_at: datetime | None = None


@dataclass(slots=True)
class PagePlan:
    """``writes``: the documents to upsert (``shard_document``'s shape), in page order."""

    writes: list[dict[str, Any]] = field(default_factory=list)
    unchanged_ids: list[str] = field(default_factory=list)
    conflicts: int = 0


def apply_page(
    ctx: PageContext,
    records: Sequence[Incoming],
    meta: Sequence[RemoteInfo],
    decisions: Sequence[Decision],
    existing: Mapping[str, Shard | Mapping[str, Any]],
) -> PagePlan:
    """Shards to write for ``decisions``; ``existing`` holds every shard a decision names, by id, as a model
    or as its stored document (``ShardStore.find_documents_by_external_ids``).

    ``meta`` is indexed like ``records`` and read only for the records written; only updates read
    ``modified_at``.
    """
    plan = PagePlan()
    links = _Links(ctx)
    created: list[tuple[Decision, Incoming, RemoteInfo]] = []
    writes: list[dict[str, Any] | None] = []  # None: the next new shard (built in one batch below, page order kept)
    for decision in decisions:
        record = records[decision.index]
        if decision.action == DedupAction.CREATE:
            created.append((decision, record, meta[decision.index]))
            writes.append(None)
        elif decision.action == DedupAction.UNCHANGED:
            plan.unchanged_ids.append(decision.external_id)
        elif decision.action in (DedupAction.UPDATE, DedupAction.LINK):
            current = existing.get(decision.shard_id) if decision.shard_id is not None else None
            if current is None:  # the shard went away since the look-up: nothing to update
                continue
            doc, conflicted = _update(ctx, current, decision, record, meta[decision.index], links)
            writes.append(doc)
            plan.conflicts += conflicted
    new_shards = iter(_new_shards(ctx, created, links))
    plan.writes = [shard if shard is not None else next(new_shards) for shard in writes]
    return plan


class _Links:
    """The relationships of a page's new and refreshed records as documents: the page's first is made and
    validated as a model, the others copy it with their own external id, version and hash (callers check the
    external id's length, the one constraint of the copied values)."""

    def __init__(self, ctx: PageContext) -> None:
        self._ctx = ctx
        self._first: dict[str, Any] | None = None

    def synced(self, decision: Decision, remote: RemoteInfo) -> dict[str, Any]:
        if self._first is None:
            self._first = _relationship(self._ctx, decision, remote).model_dump(mode="json", by_alias=True)
            return dict(self._first)
        return {**self._first, "externalId": decision.external_id, "remoteVersion": remote.version,
                "contentHash": decision.content_hash}


def _update(
    ctx: PageContext, current: Shard | Mapping[str, Any], decision: Decision, record: Incoming, remote: RemoteInfo,
    links: _Links,
) -> tuple[dict[str, Any], int]:
    """The document an UPDATE or LINK decision writes, and whether it is a conflict. A stored document
    nobody edited since its sync is refreshed as it is (``core.refresh``); any other shard goes through the
    model and conflict resolution."""
    if not isinstance(current, Shard):
        if decision.action == DedupAction.UPDATE and own_clean_link(current, ctx.integration_id) is not None:
            doc = refreshed_document(current, record.data, links.synced(decision, remote))
            if doc is not None:
                return doc, 0
        current = Shard.model_validate(current)
    shard, conflicted = _updated_shard(ctx, current, decision, record, remote)
    return shard_document(shard), conflicted


def _relationship(ctx: PageContext, decision: Decision, remote: RemoteInfo, **state: Any) -> ExternalRelationship:
    """The record's relationship as of this page; ``state`` overrides the sync state of a fresh one."""
    fields: dict[str, Any] = {"sync_status": SyncStatus.SYNCED, "last_synced_at": ctx.now, **state}
    return ExternalRelationship(
        system=ctx.system, integration_id=ctx.integration_id, external_id=decision.external_id,
        sync_direction=ctx.direction, remote_version=remote.version, content_hash=decision.content_hash, **fields,
    )


def _new_shards(
    ctx: PageContext, created: Sequence[tuple[Decision, Incoming, RemoteInfo]], links: _Links
) -> list[dict[str, Any]]:
    """The documents of the page's new shards, equal to ``shard_document(_new_shard(...))`` of each."""
    if not created:
        return []
    if not all(0 < len(decision.external_id) <= TEXT_MAX_LENGTH for decision, _, _ in created):
        return [shard_document(_new_shard(ctx, *item)) for item in created]  # raises the model's error
    first = shard_document(_new_shard(ctx, *created[0]))
    docs = [first]
    for decision, record, remote in created[1:]:
        doc = first.copy()
        doc["id"] = decision.shard_id
        # The page's own mapped data, not changed after the save: shared, not copied (any other mapping is).
        doc["structuredData"] = record.data if type(record.data) is dict else dict(record.data)
        doc["externalRelationships"] = [links.synced(decision, remote)]
        docs.append(doc)
    return docs


def _new_shard(ctx: PageContext, decision: Decision, record: Incoming, remote: RemoteInfo) -> Shard:
    assert decision.shard_id is not None
    return Shard(
        id=decision.shard_id, tenant_id=ctx.tenant_id, shard_type_id=ctx.shard_type_id,
        structured_data=dict(record.data), external_relationships=[_relationship(ctx, decision, remote)],
        created_at=ctx.now, updated_at=ctx.now,
    )


def _updated_shard(
    ctx: PageContext, shard: Shard, decision: Decision, record: Incoming, remote: RemoteInfo
) -> tuple[Shard, int]:
    current = shard.relationship_for(ctx.integration_id)
    change = InboundChange(
        local=shard.structured_data, remote=record.data,
        base=current.base_data if current is not None else None,
        local_changed_at=shard.updated_at, remote_changed_at=remote.modified_at,
        last_synced_at=current.last_synced_at if current is not None else None,
    )
    if current is None:  # a LINK: the shard matched by key is taken over with the provider's values
        data, status, kept_remote, conflicted = {**shard.structured_data, **record.data}, SyncStatus.SYNCED, None, 0
    else:
        resolution = resolve_inbound(change, ctx.conflict_resolution)
        data, status = resolution.data, resolution.sync_status
        conflicted = int(status == SyncStatus.CONFLICT)
        kept_remote = dict(resolution.remote) if conflicted else None
        if resolution.outcome == Outcome.KEPT_LOCAL:
            status = SyncStatus.PENDING  # the provider is behind: write-back has something to push
    unsettled = current is not None and status != SyncStatus.SYNCED
    # While local changes are unsettled (kept local, or a conflict) the shard must still read as edited
    # since its last sync, so the next pull does not overwrite it: keep the old sync time and base.
    relationship = _relationship(
        ctx, decision, remote, sync_status=status, conflict_data=kept_remote,
        base_data=current.base_data if unsettled and current else None,
        last_synced_at=current.last_synced_at if unsettled and current else ctx.now,
    )
    others = [r for r in shard.external_relationships if r.integration_id != ctx.integration_id]
    updated = shard.model_copy(update={
        "structured_data": data,
        "external_relationships": [*others, relationship],
        "updated_at": ctx.now,
        "deleted_at": None,
    })
    return updated, conflicted

