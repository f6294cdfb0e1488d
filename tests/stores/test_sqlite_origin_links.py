"""The SQLite shard store's two homes for links: a shard's origin link in its own row, the others in
``shard_links``; lookups, run stamps, deletion detection and takeovers see one link per external id, and a
database from before origin links is migrated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.dedup import derive_shard_id
from core.models import ExternalRelationship, Shard
from stores.shards import PageIndex
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.shards import SqliteShardStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def rel(integration: str, ext: str, digest: str = "h", system: str = "salesforce") -> ExternalRelationship:
    return ExternalRelationship(system=system, integration_id=integration, external_id=ext, content_hash=digest)


def shard(shard_id: str, *rels: ExternalRelationship, **data: object) -> Shard:
    return Shard(id=shard_id, tenant_id="t1", shard_type_id="account", structured_data=dict(data),
                 external_relationships=list(rels), created_at=NOW, updated_at=NOW)


def origin(integration: str, ext: str) -> str:
    return derive_shard_id("t1", integration, ext)


def table_links(db: SqliteDatabase) -> list[tuple[str, str, str]]:
    return db.connection().execute(
        "SELECT integration_id, external_id, shard_id FROM shard_links ORDER BY integration_id, external_id"
    ).fetchall()


def test_origin_links_live_in_the_shard_row_and_the_others_in_the_links_table(sqlite_db: SqliteDatabase) -> None:
    store = SqliteShardStore(sqlite_db)
    a = shard(origin("i1", "e1"), rel("i1", "e1", "h1"), rel("i2", "x1", "hx", system="hubspot"))
    b = shard("plain-id", rel("i1", "e2", "h2"))
    store.upsert_many("t1", [a, b], PageIndex(integration_id="i1", run_id="run-1"))
    assert table_links(sqlite_db) == [("i1", "e2", "plain-id"), ("i2", "x1", a.id)]
    links = store.find_links("t1", "i1", ["e1", "e2", "e3"])
    assert {ext: (link.shard_id, link.content_hash) for ext, link in links.items()} == {
        "e1": (a.id, "h1"), "e2": ("plain-id", "h2")}
    assert store.find_links("t1", "i2", ["x1"])["x1"].shard_id == a.id
    assert store.find_links("t1", "i2", ["e1"]) == {}  # the origin link belongs to i1 only
    assert [s.id for s in store.query("t1", external_system="salesforce", external_id="e1").items] == [a.id]
    assert [s.id for s in store.query("t1", external_system="hubspot").items] == [a.id]
    assert [s.id for s in store.query("t1", external_id="e2").items] == ["plain-id"]


def test_run_stamps_and_deletion_detection_per_integration(sqlite_db: SqliteDatabase) -> None:
    store = SqliteShardStore(sqlite_db)
    a = shard(origin("i1", "e1"), rel("i1", "e1"), rel("i2", "x1", system="hubspot"))
    c = shard(origin("i1", "e3"), rel("i1", "e3"))
    store.upsert_many("t1", [a, c], PageIndex(integration_id="i1", run_id="run-1"))
    store.upsert_many("t1", [a], PageIndex(integration_id="i2", run_id="run-9"))  # i2's sync rewrites the shard
    # i2's run kept i1's stamp on the origin link: i1's run 1 saw both shards.
    assert store.mark_deleted_except("t1", "i1", "account", "run-1", NOW) == 0
    assert store.mark_seen("t1", "i1", ["e1", "nope"], "run-2") == 1
    assert store.mark_deleted_except("t1", "i1", "account", "run-2", NOW) == 1  # e3 was not seen
    assert store.get("t1", c.id).deleted_at == NOW  # type: ignore[union-attr]
    assert store.mark_deleted_except("t1", "i2", "account", "run-9", NOW) == 0
    assert store.mark_deleted_except("t1", "i2", "account", "run-10", NOW) == 1
    assert store.get("t1", a.id).deleted_at == NOW  # type: ignore[union-attr]


def test_a_link_taken_over_is_found_at_its_new_shard_only(sqlite_db: SqliteDatabase) -> None:
    store = SqliteShardStore(sqlite_db)
    a = shard(origin("i1", "e1"), rel("i1", "e1", "ha"))
    store.upsert_many("t1", [a])
    store.upsert_many("t1", [shard("other", rel("i1", "e1", "hb"))])  # another shard claims e1
    assert store.find_links("t1", "i1", ["e1"])["e1"].shard_id == "other"
    store.upsert_many("t1", [a])  # and the origin shard claims it back
    assert store.find_links("t1", "i1", ["e1"])["e1"].shard_id == a.id
    assert table_links(sqlite_db) == []
    assert [s.id for s in store.find_by_external_ids("t1", "i1", ["e1"]).values()] == [a.id]
    store.upsert_many("t1", [shard("other", rel("i1", "e1", "hb"))])  # taken over once more
    assert [s.id for s in store.query("t1", external_id="e1").items] == ["other"]  # the origin row let go


def test_a_query_by_external_id_reads_candidate_rows_through_the_id_index(sqlite_db: SqliteDatabase) -> None:
    store = SqliteShardStore(sqlite_db)
    store.upsert_many("t1", [shard(origin(i, e), rel(i, e, system=i)) for i in ("i1", "i2") for e in ("e1", "e2")])
    store.upsert_many("t1", [shard("plain", rel("i3", "e1", system="zoom"))])
    other_tenant = shard(derive_shard_id("t2", "i1", "e1"), rel("i1", "e1", system="i1")).model_copy(
        update={"tenant_id": "t2"})
    store.upsert_many("t2", [other_tenant])
    found = {s.id for s in store.query("t1", external_id="e1").items}
    assert found == {origin("i1", "e1"), origin("i2", "e1"), "plain"}
    assert [s.id for s in store.query("t1", external_system="i2", external_id="e1").items] == [origin("i2", "e1")]
    assert [s.id for s in store.query("t1", shard_type_id="account", external_id="e2", limit=1).items] in (
        [[origin("i1", "e2")], [origin("i2", "e2")]])
    assert store.query("t1", shard_type_id="contact", external_id="e1").items == []
    assert store.query("t1", external_id="e9").items == []
    conn = sqlite_db.connection()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)  # the statement as run, with its values
    store.query("t1", shard_type_id="account", external_id="e1")
    conn.set_trace_callback(None)
    [query] = [sql for sql in statements if sql.startswith("SELECT s.body")]
    plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert "SEARCH s USING INDEX sqlite_autoindex_shards_1 (tenant_id=? AND id=?)" in plan, plan
    assert "shards_by_" not in plan, plan  # never a walk of the tenant's rows in insert order


def test_patching_away_an_origin_link_forgets_it(sqlite_db: SqliteDatabase) -> None:
    store = SqliteShardStore(sqlite_db)
    a = shard(origin("i1", "e1"), rel("i1", "e1"))
    store.upsert_many("t1", [a])
    store.patch("t1", a.id, {"externalRelationships": []})
    assert store.find_links("t1", "i1", ["e1"]) == {}
    assert store.mark_deleted_except("t1", "i1", "account", "run-1", NOW) == 0


def test_a_database_from_before_origin_links_is_migrated(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "old.db")
    derived = origin("i1", "e1")
    db.connection().executescript(f"""
        CREATE TABLE shards (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL,
            shard_type_id TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL,
            body TEXT NOT NULL, UNIQUE (tenant_id, id));
        CREATE TABLE shard_links (tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL,
            external_id TEXT NOT NULL, shard_id TEXT NOT NULL, system TEXT NOT NULL, last_seen_run_id TEXT,
            content_hash TEXT, PRIMARY KEY (tenant_id, integration_id, external_id)) WITHOUT ROWID;
        INSERT INTO shards (tenant_id, id, shard_type_id, etag, body) VALUES
            ('t1', '{derived}', 'account', 'e', '{shard(derived, rel("i1", "e1")).model_dump_json(by_alias=True)}'),
            ('t1', 'plain', 'account', 'e', '{shard("plain", rel("i1", "e2")).model_dump_json(by_alias=True)}');
        INSERT INTO shard_links VALUES ('t1', 'i1', 'e1', '{derived}', 'salesforce', 'run-1', 'h1'),
            ('t1', 'i1', 'e2', 'plain', 'salesforce', 'run-1', 'h2');
    """)
    store = SqliteShardStore(db)
    assert table_links(db) == [("i1", "e2", "plain")]
    links = store.find_links("t1", "i1", ["e1", "e2"])
    assert (links["e1"].shard_id, links["e1"].content_hash) == (derived, "h1")
    assert (links["e2"].shard_id, links["e2"].content_hash) == ("plain", "h2")
    assert store.mark_deleted_except("t1", "i1", "account", "run-1", NOW) == 0  # run stamps moved too
    SqliteShardStore(db)  # opening again changes nothing
    assert table_links(db) == [("i1", "e2", "plain")]
    assert [s.id for s in store.query("t1", external_id="e1").items] == [derived]  # the origin table was filled
    db.close()


def test_origin_links_written_before_the_origin_table_are_found_by_external_id(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "before.db")
    store = SqliteShardStore(db)
    store.upsert_many("t1", [shard(origin("i1", "e1"), rel("i1", "e1"))])
    db.connection().execute("DROP TABLE shard_origins")  # as a database of the previous version has it
    SqliteShardStore(db)
    assert [s.id for s in store.query("t1", external_id="e1").items] == [origin("i1", "e1")]
    db.close()


def test_a_database_from_before_insert_order_is_rebuilt(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "oldest.db")
    derived = origin("i1", "e1")
    db.connection().executescript(f"""
        CREATE TABLE shards (tenant_id TEXT NOT NULL, id TEXT NOT NULL, shard_type_id TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
        CREATE TABLE shard_links (tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL,
            external_id TEXT NOT NULL, shard_id TEXT NOT NULL, system TEXT NOT NULL, last_seen_run_id TEXT,
            PRIMARY KEY (tenant_id, integration_id, external_id)) WITHOUT ROWID;
        CREATE INDEX shard_links_by_shard ON shard_links (tenant_id, shard_id);
        INSERT INTO shards VALUES
            ('t1', '{derived}', 'account', 0, 'e', '{shard(derived, rel("i1", "e1")).model_dump_json(by_alias=True)}');
        INSERT INTO shard_links VALUES ('t1', 'i1', 'e1', '{derived}', 'salesforce', 'run-1');
    """)
    store = SqliteShardStore(db)
    assert [s.id for s in store.query("t1").items] == [derived]
    assert store.find_links("t1", "i1", ["e1"])["e1"].shard_id == derived
    assert table_links(db) == []
    store.upsert_many("t1", [shard(origin("i1", "e2"), rel("i1", "e2"))])
    assert [s.id for s in store.query("t1").items] == [derived, origin("i1", "e2")]  # insert order
    db.close()
