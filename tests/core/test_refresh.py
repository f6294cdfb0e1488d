"""Refreshing stored documents (``core.refresh``) writes exactly what the model path writes, and is taken only
for shards nobody edited since their last sync."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter

from core.dedup import Decision, DedupAction, Incoming
from core.inbound import PageContext, RemoteMeta, apply_page
from core.models import ConflictResolution, Shard, SyncDirection, shard_document
from core.models.base import UtcDatetime
from core.refresh import json_time, own_clean_link

SYNCED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 2, 8, 30, 15, 250000, tzinfo=UTC)


def _stored(*, edited: timedelta = timedelta(0), base: dict[str, Any] | None = None, other_link: bool = False,
            created: datetime | None = SYNCED - timedelta(days=3), deleted: bool = False,
            integration: str = "i1") -> dict[str, Any]:
    links = [{"system": "salesforce", "integration_id": integration, "external_id": "001A",
              "last_synced_at": SYNCED, "remote_version": "v1", "content_hash": "h1", "base_data": base}]
    if other_link:
        links.append({"system": "hubspot", "integration_id": "i2", "external_id": "77", "last_synced_at": SYNCED})
    shard = Shard(id="shd-1", tenant_id="t1", shard_type_id="account",
                  structured_data={"name": "Acme", "email": "a@example.com", "local": 1},
                  external_relationships=links, created_at=created, updated_at=SYNCED + edited,
                  deleted_at=SYNCED if deleted else None)
    return shard_document(shard)


def _plan(existing: Any, strategy: ConflictResolution, direction: SyncDirection = SyncDirection.PULL,
          action: DedupAction = DedupAction.UPDATE) -> tuple[list[dict[str, Any]], int]:
    ctx = PageContext("t1", "i1", "salesforce", "account", direction, strategy, NOW)
    record = Incoming.of("001A", {"name": "Acme Corp", "email": "a@example.com"})
    decision = Decision(0, "001A", action, "shd-1", record.content_hash)
    remote = RemoteMeta("v2", SYNCED + timedelta(hours=2))
    plan = apply_page(ctx, [record], [remote], [decision], {"shd-1": existing})
    return plan.writes, plan.conflicts


@pytest.mark.parametrize("when", [
    datetime(2025, 6, 1, 0, 0, tzinfo=UTC), datetime(2025, 6, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2025, 6, 1, 2, 0, 0, 500, tzinfo=timezone(timedelta(hours=2))),
])
def test_json_time_is_the_models_serialisation(when: datetime) -> None:
    adapter = TypeAdapter(UtcDatetime)  # as a model field: validated (to UTC), then dumped
    assert json_time(when) == adapter.dump_python(adapter.validate_python(when), mode="json")


def test_a_shard_synced_and_not_edited_since_has_a_clean_link() -> None:
    stored = _stored()
    assert own_clean_link(stored, "i1") == stored["externalRelationships"][0]
    assert own_clean_link(_stored(edited=-timedelta(hours=1)), "i1") is not None
    assert own_clean_link(_stored(created=None, deleted=True), "i1") is not None


@pytest.mark.parametrize("stored", [
    _stored(edited=timedelta(seconds=1)),  # edited locally since its last sync
    _stored(base={"name": "Acme"}),  # a three-way base is kept
    _stored(other_link=True),  # linked to another integration too
    _stored(integration="i9"),  # not this integration's link
    {**_stored(), "futureField": 1},  # a field this version does not know
])
def test_any_other_shard_takes_the_model_path(stored: dict[str, Any]) -> None:
    assert own_clean_link(stored, "i1") is None


CASES = list(itertools.product(
    [{}, {"edited": timedelta(seconds=1)}, {"base": {"name": "Acme"}}, {"base": {"name": "Old"}},
     {"other_link": True}, {"created": None}, {"created": datetime(2025, 1, 1, 0, 0, 0, 120, tzinfo=UTC)},
     {"deleted": True}, {"integration": "i9"}],
    list(ConflictResolution),
    [SyncDirection.PULL, SyncDirection.BIDIRECTIONAL],
))


@pytest.mark.parametrize(("shape", "strategy", "direction"), CASES)
def test_the_stored_document_path_writes_what_the_model_path_writes(
    shape: dict[str, Any], strategy: ConflictResolution, direction: SyncDirection
) -> None:
    stored = _stored(**shape)
    assert _plan(stored, strategy, direction) == _plan(Shard.model_validate(stored), strategy, direction)
    assert _plan(stored, strategy, direction, DedupAction.LINK) == _plan(
        Shard.model_validate(stored), strategy, direction, DedupAction.LINK)


def test_a_refreshed_document_applies_the_remote_values_and_refreshes_the_link() -> None:
    [doc], conflicts = _plan(_stored(deleted=True), ConflictResolution.MANUAL)
    assert conflicts == 0
    assert doc["structuredData"] == {"name": "Acme Corp", "email": "a@example.com", "local": 1}
    [link] = doc["externalRelationships"]
    assert (link["remoteVersion"], link["lastSyncedAt"], link["syncStatus"]) == ("v2", json_time(NOW), "synced")
    assert (doc["updatedAt"], doc["deletedAt"], doc["createdAt"]) == (json_time(NOW), None, "2025-05-29T12:00:00Z")
    assert doc == shard_document(Shard.model_validate(doc))


def test_a_second_record_of_the_page_gets_its_own_link() -> None:
    ctx = PageContext("t1", "i1", "salesforce", "account", SyncDirection.PULL, ConflictResolution.REMOTE_WINS, NOW)
    docs = {f"shd-{n}": {**_stored(), "id": f"shd-{n}"} for n in range(3)}
    for n, doc in enumerate(docs.values()):
        doc["externalRelationships"] = [{**doc["externalRelationships"][0], "externalId": f"00{n}"}]
    records = [Incoming.of(f"00{n}", {"name": f"N{n}"}) for n in range(3)]
    decisions = [Decision(n, f"00{n}", DedupAction.UPDATE, f"shd-{n}", r.content_hash) for n, r in enumerate(records)]
    metas = [RemoteMeta(f"v{n}") for n in range(3)]
    fast = apply_page(ctx, records, metas, decisions, docs).writes
    slow = apply_page(ctx, records, metas, decisions, {k: Shard.model_validate(v) for k, v in docs.items()}).writes
    assert fast == slow
    assert [(d["externalRelationships"][0]["externalId"], d["externalRelationships"][0]["remoteVersion"])
            for d in fast] == [("000", "v0"), ("001", "v1"), ("002", "v2")]
