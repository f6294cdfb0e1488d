"""Pages of rows in few statement steps (``stores.sqlite.rows``): the same rows and order as one statement per
row, and a page's writes and look-ups in the shard store take a handful of statement runs, not one per row
(each run lets go of the GIL and waits to get it back)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from core.dedup import derive_shard_id
from core.models import ExternalRelationship, Shard
from stores.shards import PageIndex
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.rows import ROWS_PER_STATEMENT, read_rows, write_rows
from stores.sqlite.shards import SqliteShardStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
UPSERT = "INSERT INTO t (k, v) VALUES {rows} ON CONFLICT (k) DO UPDATE SET v = t.v || '+' || excluded.v"


def table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, n INTEGER, x REAL)")
    return conn


def test_write_rows_applies_every_row_in_order_across_statements() -> None:
    conn = table()
    count = 2 * ROWS_PER_STATEMENT + 7
    rows = [(f"k{i % (count - 3)}", f"v{i}") for i in range(count)]  # the last three repeat the first keys
    write_rows(conn, UPSERT, rows)
    reference = table()
    reference.executemany(UPSERT.replace("{rows}", "(?, ?)"), rows)
    query = "SELECT k, v FROM t ORDER BY k"
    assert conn.execute(query).fetchall() == reference.execute(query).fetchall()
    assert conn.execute("SELECT v FROM t WHERE k = 'k0'").fetchone() == (f"v0+v{count - 3}",)
    write_rows(conn, UPSERT, [])  # nothing to write: no statement


def test_read_rows_returns_each_row_with_its_values() -> None:
    conn = table()
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [("a", "x \"quoted\" ü", 1, 2.5), ("b", None, None, None)])
    assert read_rows(conn, "k, v, n, x", "FROM t ORDER BY k", ()) == [
        ["a", "x \"quoted\" ü", 1, 2.5], ["b", None, None, None]]
    assert read_rows(conn, "k", "FROM t WHERE k = ?", ("none",)) == []


@contextmanager
def statement_runs(db: SqliteDatabase) -> Iterator[list[str]]:
    runs: list[str] = []
    conn = db.connection()
    conn.set_trace_callback(runs.append)  # once per run of a statement: executemany runs it once per row
    try:
        yield runs
    finally:
        conn.set_trace_callback(None)


def test_a_page_of_shards_is_written_and_looked_up_in_a_few_statement_runs(sqlite_db: SqliteDatabase) -> None:
    store = SqliteShardStore(sqlite_db)
    ids = [f"e{n}" for n in range(2_000)]
    page = [Shard(id=derive_shard_id("t1", "i1", ext), tenant_id="t1", shard_type_id="account",
                  structured_data={"n": n}, created_at=NOW, updated_at=NOW,
                  external_relationships=[ExternalRelationship(system="salesforce", integration_id="i1",
                                                               external_id=ext, content_hash=f"h{n}")])
            for n, ext in enumerate(ids)]
    with statement_runs(sqlite_db) as runs:
        store.upsert_many("t1", page, PageIndex(integration_id="i1", run_id="run-1"))
    assert len(runs) < 20, runs[:5]
    with statement_runs(sqlite_db) as runs:
        links = store.find_links("t1", "i1", ids)
        found = store.find_by_external_ids("t1", "i1", ids[:600])
    assert len(runs) < 20, runs[:5]
    assert links["e7"].shard_id == page[7].id and links["e7"].content_hash == "h7" and not links["e7"].deleted
    assert len(links) == 2_000 and found["e599"].structured_data == {"n": 599}


def test_write_rows_keeps_to_the_librarys_bound_on_parameters() -> None:
    conn = table()
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # SQLite's default before 3.32
    rows = [(f"k{i}", f"v{i}") for i in range(ROWS_PER_STATEMENT + 1)]
    write_rows(conn, UPSERT, rows)
    assert conn.execute("SELECT count(*), min(v), max(k) FROM t").fetchone() == (len(rows), "v0", "k99")
