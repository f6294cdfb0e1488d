"""Tables of the SQLite shard store.

``shards`` holds the document, in insert order (a rowid table: shard ids are random hashes, and a table
keyed by them would scatter every page's writes across the file; the unique index on the id is small), and
the shard's origin link in its ``link_*`` columns (``stores.sqlite.shard_links``); ``shard_links`` one row
per other external relationship; both give the dedup look-up by external id, its content hash (unchanged
records are recognised without loading the shard) and the per-integration last seen run that full syncs
stamp to detect deletions without holding every id in memory. ``shard_keys`` holds the dedup index values.
``shard_origins`` names, per tenant, the integrations that have written origin links (created by ``migrate``),
so a query by external id derives the few shard ids that can hold it instead of reading every row.

Every index keyed by a random shard id or an external id (external ids arrive in the provider's
modification order) costs a page a write to nearly every leaf of that index, and the WAL and checkpoint
traffic of it: a first sync writes only one, the shard ids'. (Databases created for a while kept
``shard_links`` as a rowid table with a unique key; the same statements use either.)
Listing by type follows insert order (``seq``, append-only); a shard's links are found through the
relationships in its document, not through an index by shard id.
"""

import sqlite3

from core.dedup import derive_shard_id

SHARD_SCHEMA = """
CREATE TABLE IF NOT EXISTS shards (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL, id TEXT NOT NULL, shard_type_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, body TEXT NOT NULL,
    link_integration_id TEXT, link_external_id TEXT, link_system TEXT, link_hash TEXT, link_run_id TEXT,
    UNIQUE (tenant_id, id));
DROP INDEX IF EXISTS shards_by_type;
CREATE INDEX IF NOT EXISTS shards_by_type_seq ON shards (tenant_id, shard_type_id, seq);
CREATE INDEX IF NOT EXISTS shards_by_tenant_seq ON shards (tenant_id, seq);
CREATE TABLE IF NOT EXISTS shard_links (
    tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL, external_id TEXT NOT NULL,
    shard_id TEXT NOT NULL, system TEXT NOT NULL, last_seen_run_id TEXT, content_hash TEXT,
    PRIMARY KEY (tenant_id, integration_id, external_id)) WITHOUT ROWID;
DROP INDEX IF EXISTS shard_links_by_shard;
DROP INDEX IF EXISTS shard_links_by_system;
CREATE TABLE IF NOT EXISTS shard_keys (
    tenant_id TEXT NOT NULL, shard_type_id TEXT NOT NULL, key_name TEXT NOT NULL,
    key_value TEXT NOT NULL, shard_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, shard_type_id, key_name, key_value, shard_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shard_keys_by_shard ON shard_keys (tenant_id, shard_id, key_name);
"""


def order_shards(conn: sqlite3.Connection) -> None:
    """Rebuild a ``shards`` table from before insert order (keyed by id, without ``seq``) in insert order.

    Runs before ``SHARD_SCHEMA``, whose indexes need ``seq``; the link columns are added by ``migrate``.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(shards)")]
        if columns and "seq" not in columns:
            conn.execute("ALTER TABLE shards RENAME TO shards_by_id")
            conn.execute("CREATE TABLE shards (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, id TEXT NOT NULL, "
                         "shard_type_id TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, "
                         "body TEXT NOT NULL, UNIQUE (tenant_id, id))")
            conn.execute("INSERT INTO shards (tenant_id, id, shard_type_id, deleted, etag, body) "
                         "SELECT tenant_id, id, shard_type_id, deleted, etag, body FROM shards_by_id")
            conn.execute("DROP TABLE shards_by_id")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a database created by an earlier version up to this schema (once, whichever process comes first)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        link_columns = {row[1] for row in conn.execute("PRAGMA table_info(shard_links)")}
        if "content_hash" not in link_columns:
            conn.execute("ALTER TABLE shard_links ADD COLUMN content_hash TEXT")
        shard_columns = {row[1] for row in conn.execute("PRAGMA table_info(shards)")}
        if "link_integration_id" not in shard_columns:
            for column in ORIGIN_COLUMNS:
                conn.execute(f"ALTER TABLE shards ADD COLUMN {column} TEXT")
            _move_origin_links(conn)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "shard_origins" not in tables:
            # Created with its rows in one transaction: a reader never finds it without them.
            conn.execute("CREATE TABLE shard_origins (tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL, "
                         "PRIMARY KEY (tenant_id, integration_id)) WITHOUT ROWID")
            conn.execute("INSERT OR IGNORE INTO shard_origins SELECT DISTINCT tenant_id, link_integration_id "
                         "FROM shards WHERE link_integration_id IS NOT NULL")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


ORIGIN_COLUMNS = ("link_integration_id", "link_external_id", "link_system", "link_hash", "link_run_id")


def _move_origin_links(conn: sqlite3.Connection) -> None:
    """Origin links of an earlier version's ``shard_links`` into their shards' rows (``shard_links`` module)."""
    rows = conn.execute("SELECT tenant_id, integration_id, external_id, shard_id, system, content_hash, "
                        "last_seen_run_id FROM shard_links").fetchall()
    moved = [row for row in rows if row[3] == derive_shard_id(row[0], row[1], row[2])]
    conn.executemany(
        "UPDATE shards SET link_integration_id = ?, link_external_id = ?, link_system = ?, link_hash = ?, "
        "link_run_id = ? WHERE tenant_id = ? AND id = ?",
        [(integration, ext, system, digest, run, tenant, shard) for tenant, integration, ext, shard, system, digest, run
         in moved],
    )
    conn.executemany("DELETE FROM shard_links WHERE tenant_id = ? AND integration_id = ? AND external_id = ?",
                     [row[:3] for row in moved])
