"""Saving one mapped page into the shard store: two look-ups, one decision pass, one batched write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from activities.contracts import PageRef
from core.dedup import Candidate, Incoming, derive_shard_id, index_values, plan_page, tally
from core.inbound import PageContext, RemoteMeta, apply_page
from core.models import DedupStrategy, EntityMapping, Integration, RunStats, Shard
from services import get_services
from stores.shards import PageIndex


def _candidate(shard: Shard, integration_id: str) -> Candidate:
    rel = shard.relationship_for(integration_id)
    return Candidate(shard.id, shard.structured_data, rel.external_id if rel else None,
                     rel.content_hash if rel else None)


def _meta(item: dict[str, Any]) -> RemoteMeta:
    modified = item.get("modifiedAt")
    when = datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None
    return RemoteMeta(item.get("version"), when)


def save_records(
    integration: Integration, mapping: EntityMapping, ref: PageRef, items: Sequence[dict[str, Any]],
    deleted_ids: Sequence[str],
) -> RunStats:
    """Upsert ``items`` (mapped records) and soft-delete ``deleted_ids``; the page's counts."""
    shards = get_services().stores.shards
    tenant, integration_id = ref.tenant_id, ref.integration_id
    records = [Incoming.of(i["externalId"], i["data"]) for i in items]
    linked_shards = shards.find_by_external_ids(tenant, integration_id, [r.external_id for r in records])
    existing: dict[str, Shard] = {s.id: s for s in linked_shards.values()}
    candidates: list[Candidate] = []
    key_name = mapping.dedup.strategy.value if mapping.dedup.strategy != DedupStrategy.EXTERNAL_ID else None
    if key_name is not None:
        values = sorted({v for r in records for v in index_values(mapping.dedup, r.data)})
        for shard in shards.find_by_keys(tenant, mapping.shard_type_id, key_name, values):
            existing.setdefault(shard.id, shard)
            candidates.append(_candidate(shard, integration_id))
    decisions = plan_page(
        records, mapping.dedup,
        linked={ext: _candidate(s, integration_id) for ext, s in linked_shards.items()},
        candidates=candidates, create_new=mapping.create_new,
        new_shard_id=lambda r: derive_shard_id(tenant, integration_id, r.external_id),
    )
    now = datetime.now(UTC)
    ctx = PageContext(tenant, integration_id, integration.provider.value, mapping.shard_type_id, mapping.direction,
                      integration.conflict_resolution, now)
    plan = apply_page(ctx, records, [_meta(i) for i in items], decisions, existing)
    index = PageIndex(
        integration_id=integration_id, run_id=ref.run_id, key_name=key_name,
        key_values={s.id: index_values(mapping.dedup, s.structured_data) for s in plan.writes} if key_name else None,
    )
    if plan.writes:
        shards.upsert_many(tenant, plan.writes, index)
    if plan.unchanged_ids:
        shards.mark_seen(tenant, integration_id, plan.unchanged_ids, ref.run_id)
    return tally(decisions) + RunStats(deleted=_delete(tenant, integration_id, deleted_ids, now))


def _delete(tenant: str, integration_id: str, external_ids: Sequence[str], now: datetime) -> int:
    """Soft-delete the shards linked to records the provider reports deleted."""
    if not external_ids:
        return 0
    shards = get_services().stores.shards
    found = shards.find_by_external_ids(tenant, integration_id, list(external_ids))
    return sum(1 for s in found.values() if s.deleted_at is None and shards.delete(tenant, s.id, soft=True, now=now))
