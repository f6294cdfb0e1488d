"""Saving one mapped page into the shard store: look-ups and decisions first, then one batched write.

``plan_records`` reads and decides outside any transaction; ``write_plan`` applies the result, and the save
activity runs it inside the stores' unit of work together with the cursor checkpoint, so a page costs one
commit. Links are read without loading shards (``find_links``): full shards are loaded only for the records
that change an existing shard, so unchanged re-reads and first syncs never decode stored documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from activities.contracts import PageRef
from core.dedup import Candidate, Decision, DedupAction, Incoming, cached_shard_id, index_values, plan_page, tally
from core.errors import ErrorCode
from core.inbound import PageContext, PagePlan, RemoteInfo, apply_page
from core.models import DedupStrategy, EntityMapping, Integration, RunError, RunStats, Shard
from services import get_services
from stores.factory import Stores
from stores.shards import LinkInfo, PageIndex


def _candidate(shard: Shard, integration_id: str) -> Candidate:
    return Candidate.from_shard(shard, integration_id)


def _linked(external_id: str, link: LinkInfo) -> Candidate:
    # What dedup reads of a linked shard: its id, the link's hash and whether it was soft-deleted (a record
    # that comes back restores its shard, even with an unchanged hash).
    return Candidate(link.shard_id, {}, external_id, link.content_hash, link.deleted)


class _StagedMeta:
    """A staged item's ``RemoteInfo``; the timestamp is parsed only when read (updates read it, creates do not)."""

    __slots__ = ("version", "_modified")

    def __init__(self, item: Mapping[str, Any]) -> None:
        self.version: str | None = item.get("version")
        self._modified: str | None = item.get("modifiedAt")

    @property
    def modified_at(self) -> datetime | None:
        return datetime.fromisoformat(self._modified) if self._modified else None  # 3.11 reads a "Z" suffix too


class _PageMeta(Sequence[RemoteInfo]):
    """``RemoteInfo`` per staged item, made only for the items ``apply_page`` reads."""

    def __init__(self, items: Sequence[Mapping[str, Any]]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [_StagedMeta(item) for item in self._items[index]]
        return _StagedMeta(self._items[index])

    def __iter__(self) -> Iterator[RemoteInfo]:
        return (_StagedMeta(item) for item in self._items)


@dataclass(frozen=True, slots=True)
class SavePlan:
    """A page's decisions and the writes they need, computed before any write; ``refused``: records not
    written (``_other_mappings_records``)."""

    tenant_id: str
    integration_id: str
    run_id: str
    decisions: list[Decision]
    plan: PagePlan
    index: PageIndex
    deleted_ids: Sequence[str]
    now: datetime
    refused: list[RunError]


def _other_mappings_records(
    integration: Integration, mapping: EntityMapping, links: Mapping[str, LinkInfo]
) -> dict[str, RunError]:
    """Records whose external id this integration already links to a shard of another of its mappings' types.

    An integration's external id names one shard, but some providers number each object type on its own
    (a HubSpot contact and company can share an id). Writing such a record would overwrite the other
    mapping's shard, so it is refused with an error instead. A shard of a type no mapping uses any more (a
    mapping's type was renamed) is still updated, as before.
    """
    others = {m.shard_type_id for m in integration.entity_mappings} - {mapping.shard_type_id}
    return {
        ext: RunError(error_type=ErrorCode.CONFLICT.value, external_entity=mapping.external_entity, external_id=ext,
                      message=f"external id {ext!r} is already linked to a {link.shard_type_id!r} shard of this "
                              "integration (another entity mapping); the record was not written")
        for ext, link in links.items() if link.shard_type_id in others
    }


def _incoming(item: Mapping[str, Any]) -> Incoming:
    """A staged item as dedup reads it; the transform stages its content hash (pages staged before it did
    are hashed here)."""
    digest = item.get("contentHash")
    if digest is None:
        return Incoming.of(item["externalId"], item["data"])
    return Incoming(item["externalId"], item["data"], digest)


def unit_of_work(stores: Stores) -> AbstractContextManager[Any]:
    """The stores' transaction where the backend has one (SQLite), else a no-op."""
    return stores.transaction() if stores.transaction is not None else nullcontext()


def _documents(tenant: str, integration_id: str, external_ids: Sequence[str],
               links: Mapping[str, LinkInfo]) -> dict[str, Shard | dict[str, Any]]:
    """The stored documents of the shards these records change, by shard id: from the bodies read with the
    links, else from the store. As documents, most are refreshed without a model (``core.refresh``)."""
    docs: list[dict[str, Any]] = []
    unread: list[str] = []
    for ext in external_ids:
        body = links[ext].body if ext in links else None
        if body is None:
            unread.append(ext)
        else:
            docs.append(orjson.loads(body))
    if unread:
        shards = get_services().stores.shards
        docs.extend(shards.find_documents_by_external_ids(tenant, integration_id, unread).values())
    return {doc["id"]: doc for doc in docs}


def plan_records(
    integration: Integration, mapping: EntityMapping, ref: PageRef, items: Sequence[dict[str, Any]],
    deleted_ids: Sequence[str], *, expect_changes: bool = True,
) -> SavePlan:
    """Dedup decisions and the shards to write for ``items`` (mapped records); reads only.

    ``expect_changes``: the records are mostly changes of linked shards (an incremental read, webhook
    events), so their documents are read with their links, in one pass over rows that are scattered over
    the table; otherwise (a full read: creates on a first sync, unchanged records on a resync) the
    documents of the changed ones only are read afterwards, and unchanged records never read theirs.
    """
    shards = get_services().stores.shards
    tenant, integration_id = ref.tenant_id, ref.integration_id
    records = [_incoming(i) for i in items]
    links = shards.find_links(tenant, integration_id, [r.external_id for r in records], bodies=expect_changes)
    refused = _other_mappings_records(integration, mapping, links) if len(integration.entity_mappings) > 1 else {}
    if refused:
        kept = [n for n, r in enumerate(records) if r.external_id not in refused]
        records, items = [records[n] for n in kept], [items[n] for n in kept]
    linked = {ext: _linked(ext, link) for ext, link in links.items() if ext not in refused}
    key_name = mapping.dedup.strategy.value if mapping.dedup.strategy != DedupStrategy.EXTERNAL_ID else None
    candidates: list[Candidate] = []
    found_by_key: list[Shard] = []
    if key_name is not None:
        values = sorted({v for r in records for v in index_values(mapping.dedup, r.data)})
        found_by_key = shards.find_by_keys(tenant, mapping.shard_type_id, key_name, values)
        candidates = [_candidate(shard, integration_id) for shard in found_by_key]
    decisions = plan_page(
        records, mapping.dedup, linked=linked, candidates=candidates, create_new=mapping.create_new,
        new_shard_id=lambda r: cached_shard_id(tenant, integration_id, r.external_id),
    )
    # Only records that change an existing linked shard need it in full (updates, conflicts, restores).
    changed = [d.external_id for d in decisions if d.action == DedupAction.UPDATE]
    existing: dict[str, Shard | dict[str, Any]] = _documents(tenant, integration_id, changed, links)
    for shard in found_by_key:
        existing.setdefault(shard.id, shard)
    now = datetime.now(UTC)
    ctx = PageContext(tenant, integration_id, integration.provider.value, mapping.shard_type_id, mapping.direction,
                      integration.conflict_resolution, now)
    plan = apply_page(ctx, records, _PageMeta(items), decisions, existing)
    index = PageIndex(
        integration_id=integration_id, run_id=ref.run_id, key_name=key_name,
        key_values=(
            {d["id"]: index_values(mapping.dedup, d["structuredData"]) for d in plan.writes} if key_name else None
        ),
    )
    return SavePlan(tenant, integration_id, ref.run_id, decisions, plan, index, deleted_ids, now,
                    list(refused.values()))


def write_plan(save: SavePlan) -> RunStats:
    """Apply ``save``: upserts, run stamps of unchanged records, soft deletes; the page's counts."""
    shards = get_services().stores.shards
    if save.plan.writes:
        shards.upsert_documents(save.tenant_id, save.plan.writes, save.index)
    if save.plan.unchanged_ids:
        shards.mark_seen(save.tenant_id, save.integration_id, save.plan.unchanged_ids, save.run_id)
    deleted = _delete(save.tenant_id, save.integration_id, save.deleted_ids, save.now)
    return tally(save.decisions) + RunStats(deleted=deleted, failed=len(save.refused))


def save_records(
    integration: Integration, mapping: EntityMapping, ref: PageRef, items: Sequence[dict[str, Any]],
    deleted_ids: Sequence[str],
) -> RunStats:
    """Upsert ``items`` (mapped records) and soft-delete ``deleted_ids``; the page's counts."""
    save = plan_records(integration, mapping, ref, items, deleted_ids)
    with unit_of_work(get_services().stores):
        return write_plan(save)


def _delete(tenant: str, integration_id: str, external_ids: Sequence[str], now: datetime) -> int:
    """Soft-delete the shards linked to records the provider reports deleted."""
    if not external_ids:
        return 0
    shards = get_services().stores.shards
    found = shards.find_by_external_ids(tenant, integration_id, list(external_ids))
    return sum(1 for s in found.values() if s.deleted_at is None and shards.delete(tenant, s.id, soft=True, now=now))
