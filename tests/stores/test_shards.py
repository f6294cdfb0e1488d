"""ShardStore contract, on SQLite and on Cosmos DB (local server, real azure-cosmos client)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.dedup import derive_shard_id
from core.models import ExternalRelationship, Shard
from stores.cosmos.shards import CosmosShardStore
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.shards import PageIndex, ShardStore, UpsertCounts
from stores.sqlite.shards import SqliteShardStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> ShardStore:
    if backend == "sqlite":
        return SqliteShardStore(request.getfixturevalue("sqlite_db"))
    return CosmosShardStore(request.getfixturevalue("cosmos_db").container("shards"))


_ids: dict[str, bool] = {"derived": False}


@pytest.fixture(autouse=True, params=["plain ids", "derived ids"])
def id_scheme(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every contract test runs with arbitrary shard ids and with the ids a sync derives from the integration's
    external id (the SQLite store keeps those links in the shard's row, the others in its links table)."""
    _ids["derived"] = request.param == "derived ids"
    yield
    _ids["derived"] = False


def sid(n: int, tenant: str = "t1", integration: str = "i1") -> str:
    """The id of ``shard(n)``."""
    return derive_shard_id(tenant, integration, f"e{n}") if _ids["derived"] else f"s{n}"


def shard(n: int, tenant: str = "t1", integration: str = "i1", type_id: str = "account", **data: object) -> Shard:
    return Shard(
        id=sid(n, tenant, integration), tenant_id=tenant, shard_type_id=type_id,
        structured_data={"name": f"n{n}", **data},
        external_relationships=[ExternalRelationship(system="salesforce", integration_id=integration,
                                                     external_id=f"e{n}", last_synced_at=NOW,
                                                     content_hash=f"h{n}")],
        created_at=NOW, updated_at=NOW,
    )


def test_create_get_patch_with_etag(store: ShardStore) -> None:
    created = store.create("t1", shard(1))
    assert created.etag
    with pytest.raises(RecordExists):
        store.create("t1", shard(1))
    got = store.get("t1", sid(1))
    assert got is not None and got.structured_data == {"name": "n1"} and got.etag == created.etag
    patched = store.patch("t1", sid(1), {"structuredData": {"name": "x"}}, if_match=created.etag)
    assert patched.structured_data == {"name": "x"} and patched.etag != created.etag
    with pytest.raises(StaleETag):
        store.patch("t1", sid(1), {"structuredData": {"name": "y"}}, if_match=created.etag)
    with pytest.raises(ValueError):
        store.patch("t1", sid(1), {"tenantId": "t2"})
    assert store.get("t1", sid(1)).structured_data == {"name": "x"}  # type: ignore[union-attr]


def test_other_tenant_is_not_found(store: ShardStore) -> None:
    store.create("t1", shard(1))
    assert store.get("t2", sid(1)) is None
    with pytest.raises(RecordNotFound):
        store.patch("t2", sid(1), {"structuredData": {}})
    assert not store.delete("t2", sid(1))
    assert store.find_by_external_ids("t2", "i1", ["e1"]) == {}
    assert store.query("t2").items == []
    assert store.get("t1", sid(1)) is not None


def test_upsert_many_counts_and_lookup(store: ShardStore) -> None:
    assert store.upsert_many("t1", [shard(n) for n in range(5)]) == UpsertCounts(created=5, updated=0)
    counts = store.upsert_many("t1", [shard(n, extra=1) for n in range(3, 8)])
    assert counts == UpsertCounts(created=3, updated=2)
    found = store.find_by_external_ids("t1", "i1", ["e0", "e4", "e7", "nope"])
    assert sorted(found) == ["e0", "e4", "e7"]
    assert found["e4"].structured_data == {"name": "n4", "extra": 1}
    assert found["e4"].etag
    assert store.find_by_external_ids("t1", "other-integration", ["e0"]) == {}
    with pytest.raises(ValueError):
        store.upsert_many("t1", [shard(9, tenant="t2")])


def test_find_documents_reads_the_stored_documents(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(n) for n in range(3)])
    store.delete("t1", sid(2), soft=True, now=NOW)
    docs = store.find_documents_by_external_ids("t1", "i1", ["e0", "e2", "nope"])
    models = store.find_by_external_ids("t1", "i1", ["e0", "e2", "nope"])
    assert sorted(docs) == sorted(models) == ["e0", "e2"]
    for ext, doc in docs.items():  # the document is the shard as stored, without its ETag
        assert "etag" not in doc
        assert Shard.model_validate(doc) == models[ext].model_copy(update={"etag": None})
    assert docs["e2"]["deletedAt"] is not None
    links = store.find_links("t1", "i1", ["e0", "e2"], bodies=True)
    assert {ext: json.loads(link.body or "null") for ext, link in links.items()} == docs
    assert all(link.body is None for link in store.find_links("t1", "i1", ["e0", "e2"]).values())
    assert store.find_documents_by_external_ids("t2", "i1", ["e0"]) == {}
    assert store.find_documents_by_external_ids("t1", "other-integration", ["e0"]) == {}


def test_find_links_reads_hashes_without_shards(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(n) for n in range(3)])
    store.delete("t1", sid(2), soft=True, now=NOW)
    links = store.find_links("t1", "i1", ["e0", "e2", "e9"])
    assert sorted(links) == ["e0", "e2"]
    assert links["e0"].shard_id == sid(0) and links["e0"].content_hash == "h0" and not links["e0"].deleted
    assert links["e2"].deleted
    assert store.find_links("t2", "i1", ["e0"]) == {}
    store.upsert_many("t1", [shard(5, type_id="contact")])
    assert [store.find_links("t1", "i1", [e])[e].shard_type_id for e in ("e0", "e5")] == ["account", "contact"]


def test_an_upsert_that_changes_a_shards_type_moves_it_between_types(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(n) for n in range(3)])
    # one page: a type change, an update of the same type, a new shard, and an id twice (the later one wins)
    page = [shard(0, type_id="contact"), shard(1, extra=1), shard(3), shard(2, type_id="lead"), shard(2, extra=2)]
    assert store.upsert_many("t1", page) == UpsertCounts(created=1, updated=4)
    by_type = {kind: sorted(s.id for s in store.query("t1", shard_type_id=kind).items)
               for kind in ("account", "contact", "lead")}
    assert by_type == {"account": sorted([sid(1), sid(2), sid(3)]), "contact": [sid(0)], "lead": []}
    assert store.get("t1", sid(0)).shard_type_id == "contact"  # type: ignore[union-attr]
    assert store.get("t1", sid(1)).structured_data == {"name": "n1", "extra": 1}  # type: ignore[union-attr]
    assert store.get("t1", sid(2)).structured_data == {"name": "n2", "extra": 2}  # type: ignore[union-attr]


def test_query_filters_and_continuation(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(n, type_id="account" if n % 2 else "contact") for n in range(7)])
    page = store.query("t1", shard_type_id="account", limit=2)
    ids = [s.id for s in page.items]
    while page.continuation_token:
        page = store.query("t1", shard_type_id="account", limit=2, continuation_token=page.continuation_token)
        ids += [s.id for s in page.items]
    assert sorted(ids) == sorted([sid(1), sid(3), sid(5)])
    by_ext = store.query("t1", external_system="salesforce", external_id="e4")
    assert [s.id for s in by_ext.items] == [sid(4)]
    assert store.query("t1", external_system="hubspot").items == []


def test_find_by_keys(store: ShardStore) -> None:
    shards = [shard(n) for n in range(4)]
    keys = {sid(0): ["a@x"], sid(1): ["b@x"], sid(2): ["a@x"], sid(3): []}
    store.upsert_many("t1", shards, PageIndex(key_name="email", key_values=keys))
    assert sorted(s.id for s in store.find_by_keys("t1", "account", "email", ["a@x", "zz"])) == sorted([sid(0), sid(2)])
    assert store.find_by_keys("t1", "contact", "email", ["a@x"]) == []
    assert store.find_by_keys("t1", "account", "name", ["a@x"]) == []
    # Re-indexing replaces a shard's values for that key name.
    store.upsert_many("t1", [shards[0]], PageIndex(key_name="email", key_values={sid(0): ["c@x"]}))
    assert [s.id for s in store.find_by_keys("t1", "account", "email", ["a@x"])] == [sid(2)]


def test_full_sync_deletion_detection(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(n) for n in range(6)], PageIndex(integration_id="i1", run_id="run-1"))
    store.upsert_many("t1", [shard(9, type_id="contact")], PageIndex(integration_id="i1", run_id="run-1"))
    # Run 2 rewrites s0-s1, sees s2-s3 unchanged, and no longer finds s4-s5.
    store.upsert_many("t1", [shard(0), shard(1)], PageIndex(integration_id="i1", run_id="run-2"))
    assert store.mark_seen("t1", "i1", ["e2", "e3"], "run-2") == 2
    assert store.mark_seen("t1", "i1", ["e2", "e3", "unknown"], "run-2") == 2  # a re-run page
    assert store.mark_deleted_except("t1", "i1", "account", "run-2", NOW) == 2
    assert store.mark_deleted_except("t1", "i1", "account", "run-2", NOW) == 0
    live = sorted(s.id for s in store.query("t1", shard_type_id="account").items)
    assert live == sorted([sid(0), sid(1), sid(2), sid(3)])
    gone = store.get("t1", sid(4))
    assert gone is not None and gone.deleted_at == NOW
    assert store.get("t1", sid(9)).deleted_at is None  # type: ignore[union-attr]  # other shard type untouched
    # A deleted record that comes back is found by its external id and revived by the upsert.
    assert store.find_by_external_ids("t1", "i1", ["e4"])["e4"].id == sid(4)
    store.upsert_many("t1", [shard(4)])
    assert store.get("t1", sid(4)).deleted_at is None  # type: ignore[union-attr]


def test_delete_soft_and_hard(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(1), shard(2)])
    assert store.delete("t1", sid(1), soft=True, now=NOW)
    assert store.get("t1", sid(1)).deleted_at == NOW  # type: ignore[union-attr]
    assert [s.id for s in store.query("t1").items] == [sid(2)]
    assert sorted(s.id for s in store.query("t1", include_deleted=True).items) == sorted([sid(1), sid(2)])
    assert store.delete("t1", sid(2))
    assert store.get("t1", sid(2)) is None
    assert not store.delete("t1", sid(2))


def test_invalid_continuation_token_is_a_value_error(store: ShardStore) -> None:
    store.upsert_many("t1", [shard(n) for n in range(3)])
    with pytest.raises(ValueError):
        store.query("t1", limit=1, continuation_token="not-a-token")
