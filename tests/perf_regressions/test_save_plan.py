"""The save activity's fast path (links instead of shards, batch-built new shards) decides and builds
exactly what the straightforward composition of ``core.dedup`` and ``core.inbound`` over fully loaded
shards does, across creates, unchanged re-reads, updates, local-edit conflicts, key links and restores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from activities.contracts import PageRef
from activities.page_store import plan_records, save_records
from activities.sync_pages import _transform
from core.dedup import Candidate, Incoming, derive_shard_id, index_values, plan_page
from core.hashing import content_hash
from core.inbound import PageContext, PagePlan, RemoteMeta, apply_page
from core.models import EntityMapping, Integration, Shard, shard_document
from core.settings import Settings
from services import Services, use_services
from stores.factory import build_stores
from stores.shards import PageIndex


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path)
    installed = Services(settings=settings, stores=build_stores(settings))
    use_services(installed)
    yield installed
    use_services(None)
    installed.stores.close()


def _integration(**overrides: Any) -> Integration:
    mapping = {"externalEntity": "Account", "shardTypeId": "account", "direction": "pull",
               "fieldMappings": [{"source": "Name", "target": "name"}, {"source": "Email", "target": "email"}]}
    mapping.update(overrides.pop("mapping", {}))
    return Integration.model_validate({
        "tenantId": "t1", "integrationId": "i1", "provider": "salesforce",
        "connection": {"instanceUrl": "https://example.invalid"}, "entityMappings": [mapping],
        "syncFrequency": {"type": "manual"}, **overrides,
    })


def _items(n: int, start: int = 0, changes: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    changes = changes or {}
    items = []
    for k in range(start, start + n):
        ext = f"001{k:05d}"
        data = {"name": f"Acme {k}", "email": f"a{k}@example.com", **changes.get(ext, {})}
        items.append({"externalId": ext, "version": f"v{k}", "modifiedAt": "2025-06-01T00:00:01.5Z", "data": data})
    return items


def _ref(run: str, page: int = 0) -> PageRef:
    return PageRef(tenant_id="t1", integration_id="i1", run_id=run, mapping_index=0, page_no=page)


def _reference(services: Services, integration: Integration, mapping: EntityMapping, items: list[dict[str, Any]],
               now: datetime) -> PagePlan:
    """The plan the save computed before the fast path: every linked shard loaded in full."""
    shards = services.stores.shards
    records = [Incoming.of(i["externalId"], i["data"]) for i in items]
    linked_shards = shards.find_by_external_ids("t1", "i1", [r.external_id for r in records])
    existing = {s.id: s for s in linked_shards.values()}
    candidates = []
    if mapping.dedup.strategy.value != "external_id":
        values = sorted({v for r in records for v in index_values(mapping.dedup, r.data)})
        for shard in shards.find_by_keys("t1", "account", mapping.dedup.strategy.value, values):
            existing.setdefault(shard.id, shard)
            candidates.append(Candidate.from_shard(shard, "i1"))

    def linked(s: Shard) -> Candidate:
        return Candidate.from_shard(s, "i1")

    decisions = plan_page(records, mapping.dedup, linked={e: linked(s) for e, s in linked_shards.items()},
                          candidates=candidates, create_new=mapping.create_new,
                          new_shard_id=lambda r: derive_shard_id("t1", "i1", r.external_id))
    metas = [RemoteMeta(i.get("version"), datetime.fromisoformat(i["modifiedAt"].replace("Z", "+00:00")))
             for i in items]
    ctx = PageContext("t1", "i1", "salesforce", mapping.shard_type_id, mapping.direction,
                      integration.conflict_resolution, now)
    return apply_page(ctx, records, metas, decisions, existing)


def _assert_same(services: Services, integration: Integration, items: list[dict[str, Any]], run: str) -> None:
    mapping = integration.entity_mappings[0]
    for expect_changes in (False, True):  # documents read after the links, or with them
        fast = plan_records(integration, mapping, _ref(run), items, [], expect_changes=expect_changes)
        slow = _reference(services, integration, mapping, items, fast.now)
        assert fast.plan.writes == slow.writes
    # every written document is what validating it as a Shard and storing that gives
    assert fast.plan.writes == [shard_document(Shard.model_validate(d)) for d in fast.plan.writes]
    assert fast.plan.unchanged_ids == slow.unchanged_ids
    assert fast.plan.conflicts == slow.conflicts


def test_creates_unchanged_and_updates_match_the_full_load_path(services: Services) -> None:
    integration = _integration()
    services.stores.integrations.put("t1", "i1", integration)
    mapping = integration.entity_mappings[0]
    first = _items(300)
    _assert_same(services, integration, first, "r1")
    stats = save_records(integration, mapping, _ref("r1"), first, [])
    assert (stats.created, stats.unchanged) == (300, 0)
    stored = services.stores.shards.get("t1", derive_shard_id("t1", "i1", "00100007"))
    assert stored is not None and stored.structured_data == {"name": "Acme 7", "email": "a7@example.com"}
    rel = stored.relationship_for("i1")
    assert rel is not None and rel.remote_version == "v7" and rel.external_id == "00100007"

    second = _items(300, changes={"00100003": {"name": "Renamed"}}) + _items(5, start=300)
    _assert_same(services, integration, second, "r2")
    stats = save_records(integration, mapping, _ref("r2"), second, [])
    assert (stats.created, stats.updated, stats.unchanged) == (5, 1, 299)
    # the unchanged ones were stamped as seen by run r2: a deletion pass deletes nothing
    assert services.stores.shards.mark_deleted_except("t1", "i1", "account", "r2", datetime.now(UTC)) == 0


def _edit_locally(services: Services, external_id: str, email: str) -> str:
    """Rename the shard of ``external_id`` to "Local", edited after its last sync; its id."""
    shard_id = derive_shard_id("t1", "i1", external_id)
    later = datetime.now(UTC) + timedelta(minutes=5)
    services.stores.shards.patch("t1", shard_id, {"structuredData": {"name": "Local", "email": email},
                                                  "updatedAt": later.isoformat()})
    return shard_id


def test_local_edits_conflict_the_same_way(services: Services) -> None:
    integration = _integration(conflictResolution="manual")
    mapping = integration.entity_mappings[0]
    save_records(integration, mapping, _ref("r1"), _items(20), [])
    _edit_locally(services, "00100004", "a4@example.com")
    changed = _items(20, changes={"00100004": {"name": "Remote"}, "00100005": {"name": "Other"}})
    _assert_same(services, integration, changed, "r2")
    stats = save_records(integration, mapping, _ref("r2"), changed, [])
    assert (stats.updated, stats.unchanged) == (2, 18)


@pytest.mark.parametrize(("remote_at", "kept"),
                         [("2025-06-01T00:00:01.5Z", "Local"), ("2099-01-01T00:00:00Z", "Remote")])
def test_newest_wins_reads_the_staged_modification_time(services: Services, remote_at: str, kept: str) -> None:
    integration = _integration(conflictResolution="newest_wins")
    mapping = integration.entity_mappings[0]
    save_records(integration, mapping, _ref("r1"), _items(5), [])
    shard_id = _edit_locally(services, "00100002", "a2@example.com")
    changed = [{**item, "modifiedAt": remote_at} for item in _items(5, changes={"00100002": {"name": "Remote"}})]
    _assert_same(services, integration, changed, "r2")
    save_records(integration, mapping, _ref("r2"), changed, [])
    shard = services.stores.shards.get("t1", shard_id)
    assert shard is not None and shard.structured_data["name"] == kept


def test_composite_key_links_and_soft_deleted_records_match(services: Services) -> None:
    integration = _integration(mapping={"dedup": {"strategy": "composite_key", "keys": ["email"]}})
    mapping = integration.entity_mappings[0]
    save_records(integration, mapping, _ref("r1"), _items(10), [])
    # an unlinked shard (written by another integration) that a new record matches by e-mail
    manual = Shard(id="shd-manual", tenant_id="t1", shard_type_id="account",
                   structured_data={"name": "M", "email": "m@example.com"})
    services.stores.shards.upsert_many("t1", [manual], PageIndex(
        integration_id="i2", run_id=None, key_name="composite_key",
        key_values={"shd-manual": index_values(mapping.dedup, manual.structured_data)}))
    services.stores.shards.delete("t1", derive_shard_id("t1", "i1", "00100002"), soft=True, now=datetime.now(UTC))
    page = _items(10) + [{"externalId": "XYZ", "version": None, "modifiedAt": "2025-06-01T00:00:00Z",
                          "data": {"name": "Dup", "email": " M@example.com"}}]
    _assert_same(services, integration, page, "r2")
    linked = plan_records(integration, mapping, _ref("r2"), page, [])
    assert [d.action.value for d in linked.decisions][-1] == "link"
    stats = save_records(integration, mapping, _ref("r2"), _items(10), ["00100009"])
    assert stats.deleted == 1


def test_an_invalid_new_shard_fails_as_before(services: Services) -> None:
    integration = _integration()
    mapping = integration.entity_mappings[0]
    too_long = [{"externalId": "x" * 1001, "version": None, "modifiedAt": None, "data": {"name": "n"}}]
    with pytest.raises(ValueError, match="external_id"):
        plan_records(integration, mapping, _ref("r1"), too_long, [])


def test_a_record_that_comes_back_restores_its_soft_deleted_shard(services: Services) -> None:
    integration = _integration()
    mapping = integration.entity_mappings[0]
    save_records(integration, mapping, _ref("r1"), _items(3), [])
    shard_id = derive_shard_id("t1", "i1", "00100001")
    services.stores.shards.delete("t1", shard_id, soft=True, now=datetime.now(UTC))
    stats = save_records(integration, mapping, _ref("r2"), _items(3), [])
    assert (stats.updated, stats.unchanged) == (1, 2)
    restored = services.stores.shards.get("t1", shard_id)
    assert restored is not None and restored.deleted_at is None


def test_transform_maps_pages_staged_in_the_current_and_the_earlier_shape(services: Services) -> None:
    integration = _integration(mapping={"fieldMappings": [{"source": "Name", "target": "name", "required": True},
                                                          {"source": "Email", "target": "email"}]})
    services.stores.integrations.put("t1", "i1", integration)
    rows = [("001A", "v1", "2025-06-01T00:00:01+00:00", {"Name": "A", "Email": "a@x"}),
            ("001B", None, None, {"Email": "b@x"}),
            ("001C", "v3", "2025-06-01T00:00:03+00:00", {"Name": "C"})]
    current = [{"externalId": i, "version": v, "modifiedAt": m, "data": d} for i, v, m, d in rows]
    earlier = [{"id": i, "version": v, "modified_at": m, "data": d} for i, v, m, d in rows]
    results = []
    for page_no, staged in enumerate([current, earlier]):
        ref = _ref("r1", page_no).to_wire()
        services.stores.staging.put("t1", f"r1/0/{page_no}/raw", staged)
        result = _transform({**ref, "stagingKey": f"r1/0/{page_no}/raw"})
        assert services.stores.staging.get("t1", f"r1/0/{page_no}/raw") is None
        results.append(({k: v for k, v in result.items() if k != "stagingKey"},
                        services.stores.staging.get("t1", result["stagingKey"])))
    assert results[0] == results[1]
    summary, mapped = results[0]
    assert (summary["transformed"], summary["failed"]) == (2, 1)
    assert [e["externalId"] for e in summary["errors"]] == ["001B"]
    assert mapped == [  # the content hash is taken here, off the save's one-page-at-a-time path
        {"externalId": "001A", "version": "v1", "modifiedAt": "2025-06-01T00:00:01+00:00",
         "data": {"name": "A", "email": "a@x"}, "contentHash": content_hash({"name": "A", "email": "a@x"})},
        {"externalId": "001C", "version": "v3", "modifiedAt": "2025-06-01T00:00:03+00:00",
         "data": {"name": "C", "email": None}, "contentHash": content_hash({"name": "C", "email": None})},
    ]


def test_a_content_hash_staged_by_the_transform_gives_the_same_plan_as_one_taken_by_the_save(
    services: Services,
) -> None:
    integration = _integration()
    services.stores.integrations.put("t1", "i1", integration)
    mapping = integration.entity_mappings[0]
    save_records(integration, mapping, _ref("r1"), _items(20), [])
    page = _items(30, changes={"00100003": {"name": "Changed"}})
    hashed = [{**item, "contentHash": content_hash(item["data"])} for item in page]
    plain, staged = (plan_records(integration, mapping, _ref("r2"), items, []) for items in (page, hashed))
    assert [d.action.value for d in staged.decisions].count("unchanged") == 19
    assert staged.decisions == plain.decisions
    def written(plan: Any) -> list[tuple[Any, ...]]:  # what a page writes, apart from its timestamps
        return [(d["id"], d["structuredData"], [r["contentHash"] for r in d["externalRelationships"]])
                for d in plan.plan.writes]

    assert len(written(staged)) == 11 and written(staged) == written(plain)


def test_a_record_whose_id_another_mapping_of_the_integration_links_is_refused_not_merged(
    services: Services,
) -> None:
    # HubSpot numbers each object type on its own: a contact and a company can both be 101.
    integration = Integration.model_validate({
        "provider": "hubspot", "connection": {"baseUrl": "http://hubspot.test"},
        "entityMappings": [
            {"externalEntity": "contacts", "shardTypeId": "contact",
             "fieldMappings": [{"source": "e", "target": "e"}]},
            {"externalEntity": "companies", "shardTypeId": "company",
             "fieldMappings": [{"source": "n", "target": "n"}]},
        ],
    })
    services.stores.integrations.put("t1", "i1", integration)
    contacts, companies = integration.entity_mappings
    item = {"version": None, "modifiedAt": "2025-06-01T00:00:00Z"}
    save_records(integration, contacts, _ref("r1"), [{**item, "externalId": "101", "data": {"e": "a@x"}}], [])
    page = [{**item, "externalId": "101", "data": {"n": "Acme"}}, {**item, "externalId": "102", "data": {"n": "B"}}]
    plan = plan_records(integration, companies, _ref("r1"), page, [])
    [refused] = plan.refused
    assert (refused.error_type, refused.external_id, refused.external_entity) == ("CONFLICT", "101", "companies")
    stats = save_records(integration, companies, _ref("r1"), page, [])
    assert (stats.created, stats.updated, stats.failed) == (1, 0, 1)
    contact = services.stores.shards.get("t1", derive_shard_id("t1", "i1", "101"))
    assert contact is not None and (contact.shard_type_id, contact.structured_data) == ("contact", {"e": "a@x"})
    # a shard of a type no mapping uses any more (the mapping's type was renamed) is still updated
    renamed = integration.model_copy(update={"entity_mappings": [
        contacts.model_copy(update={"shard_type_id": "person"}), companies]})
    stats = save_records(renamed, renamed.entity_mappings[0], _ref("r2"),
                         [{**item, "externalId": "101", "data": {"e": "b@x"}}], [])
    assert (stats.updated, stats.failed) == (1, 0)
