"""Contract of the document-collection seam, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from stores.cosmos.collection import CosmosCollection
from stores.documents import Cond, DocumentCollection, In, Order
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.sqlite.collection import SqliteCollection
from stores.sqlite.connection import SqliteDatabase


@pytest.fixture
def coll(backend: str, request: pytest.FixtureRequest) -> DocumentCollection:
    if backend == "sqlite":
        return SqliteCollection(request.getfixturevalue("sqlite_db"), "integrations")
    return CosmosCollection(request.getfixturevalue("cosmos_db").container("integrations"))


def test_create_get_and_tenant_isolation(coll: DocumentCollection) -> None:
    stored = coll.create("t1", "a", {"v": 1})
    assert stored.body == {"v": 1, "id": "a", "tenantId": "t1"}
    assert stored.etag
    got = coll.get("t1", "a")
    assert got is not None and got.body["v"] == 1 and got.etag == stored.etag
    assert coll.get("t2", "a") is None
    assert coll.get("t1", "missing") is None
    with pytest.raises(RecordExists):
        coll.create("t1", "a", {"v": 2})
    coll.create("t2", "a", {"v": 3})  # the same id in another tenant is another record
    assert coll.get("t1", "a").body["v"] == 1  # type: ignore[union-attr]


def test_upsert_reports_created(coll: DocumentCollection) -> None:
    first, created = coll.upsert("t1", "a", {"v": 1})
    assert created
    second, created = coll.upsert("t1", "a", {"v": 2})
    assert not created
    assert second.etag != first.etag
    assert coll.get("t1", "a").body["v"] == 2  # type: ignore[union-attr]


def test_replace_checks_etag_and_tenant(coll: DocumentCollection) -> None:
    stored = coll.create("t1", "a", {"v": 1})
    updated = coll.replace("t1", "a", {"v": 2}, if_match=stored.etag)
    with pytest.raises(StaleETag):
        coll.replace("t1", "a", {"v": 3}, if_match=stored.etag)
    with pytest.raises(RecordNotFound):
        coll.replace("t2", "a", {"v": 3}, if_match=None)
    assert coll.get("t1", "a").etag == updated.etag  # type: ignore[union-attr]


def test_delete_is_tenant_scoped(coll: DocumentCollection) -> None:
    coll.create("t1", "a", {"v": 1})
    assert not coll.delete("t2", "a")
    assert coll.delete("t1", "a")
    assert not coll.delete("t1", "a")
    assert coll.get("t1", "a") is None


def test_query_filters_orders_and_limits(coll: DocumentCollection) -> None:
    for i in range(6):
        coll.create("t1" if i % 2 else "t2", f"d{i}", {"ix": {"rank": i % 3, "due": f"2026-0{i}"}, "kind": "k"})
    ids = [s.body["id"] for s in coll.query("t1", [Cond("kind", "=", "k")], [Order("ix.due", descending=True)])]
    assert ids == ["d5", "d3", "d1"]
    across = coll.query(None, [Cond("ix.due", "<=", "2026-04")], [Order("ix.rank"), Order("ix.due")], limit=3)
    assert [s.body["id"] for s in across] == ["d0", "d3", "d1"]
    assert [s.body["id"] for s in coll.query("t1", [In("id", ["d1", "d2", "d5"])])] in (["d1", "d5"], ["d5", "d1"])
    assert coll.query("t1", [In("id", [])]) == []


def test_delete_where(coll: DocumentCollection) -> None:
    for i in range(5):
        coll.create("t1", f"d{i}", {"n": i})
    coll.create("t2", "d0", {"n": 0})
    assert coll.delete_where("t1", [Cond("n", "<", 3)]) == 3
    assert sorted(s.body["id"] for s in coll.query("t1")) == ["d3", "d4"]
    assert coll.get("t2", "d0") is not None


def test_sqlite_composite_indexes_hold_only_documents_with_their_first_field(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "x.db")
    old = "CREATE INDEX doc_mixed_ix0 ON doc_mixed (json_extract(body, '$.ix.kind'), json_extract(body, '$.ix.name'))"
    SqliteCollection(db, "mixed")  # a database from before partial indexes: the same index, on every document
    db.connection().execute(old)
    db.close()

    db = SqliteDatabase(tmp_path / "x.db")
    coll = SqliteCollection(db, "mixed", [["ix.kind", "ix.name"], ["tenantId", "ix.at"]])
    sql = dict(db.connection().execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall())
    assert sql["doc_mixed_ix0"] == old + " WHERE json_extract(body, '$.ix.kind') IS NOT NULL"  # rebuilt on open
    assert "WHERE" not in sql["doc_mixed_ix1"]  # its first JSON field is its last: a sort key, every document
    coll.create("t1", "reg", {"ix": {"kind": "registration", "name": "a", "at": "1"}})
    coll.create("t1", "evt", {"ix": {"at": "2"}})
    entries = db.connection().execute(
        "SELECT count(*) FROM doc_mixed INDEXED BY doc_mixed_ix0 WHERE json_extract(body, '$.ix.kind') IS NOT NULL")
    assert entries.fetchone()[0] == 1
    assert [s.body["id"] for s in coll.query(None, [Cond("ix.kind", "=", "registration"), Cond("ix.name", "=", "a")])
            ] == ["reg"]
    assert [s.body["id"] for s in coll.query("t1", order_by=[Order("ix.at")])] == ["reg", "evt"]
    plan = db.connection().execute(
        "EXPLAIN QUERY PLAN SELECT body FROM doc_mixed WHERE json_extract(body, '$.ix.kind') = ?", ("x",)).fetchall()
    assert "doc_mixed_ix0" in plan[0][3]
    db.close()
    db = SqliteDatabase(tmp_path / "x.db")
    SqliteCollection(db, "mixed", [["ix.kind", "ix.name"], ["tenantId", "ix.at"]])  # current: nothing to rebuild
    db.close()
