"""Tables of the SQLite shard store.

``shards`` holds the document, in insert order (a rowid table: shard ids are random hashes, and a
table keyed by them would scatter every page's writes across the file; the unique index on the id is
small); ``shard_links`` one row per external relationship (the dedup
look-up by external id, its content hash so unchanged records are recognised without loading
the shard, and the per-integration ``last_seen_run_id`` that full syncs stamp to detect
deletions without holding every id in memory); ``shard_keys`` the dedup index values.

Every index keyed by a random shard id costs a page a write to nearly every leaf of that index (and the
WAL and checkpoint traffic of it), so there is only one, the unique id. The same goes for links, whose
external ids arrive in the provider's modification order: their rows are appended (a rowid table) and only
the unique key, a fifth of a row's size, takes the scattered writes (databases created before keep their
``WITHOUT ROWID`` table, which the same statements use). Listing by type follows insert
order (``seq``, append-only); a shard's links are found through the relationships in its document, not
through an index by shard id.
"""

import sqlite3

SHARD_SCHEMA = """
CREATE TABLE IF NOT EXISTS shards (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL, id TEXT NOT NULL, shard_type_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (tenant_id, id));
DROP INDEX IF EXISTS shards_by_type;
CREATE INDEX IF NOT EXISTS shards_by_type_seq ON shards (tenant_id, shard_type_id, seq);
CREATE INDEX IF NOT EXISTS shards_by_tenant_seq ON shards (tenant_id, seq);
CREATE TABLE IF NOT EXISTS shard_links (
    tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL, external_id TEXT NOT NULL,
    shard_id TEXT NOT NULL, system TEXT NOT NULL, last_seen_run_id TEXT, content_hash TEXT,
    UNIQUE (tenant_id, integration_id, external_id));
DROP INDEX IF EXISTS shard_links_by_shard;
DROP INDEX IF EXISTS shard_links_by_system;
CREATE TABLE IF NOT EXISTS shard_keys (
    tenant_id TEXT NOT NULL, shard_type_id TEXT NOT NULL, key_name TEXT NOT NULL,
    key_value TEXT NOT NULL, shard_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, shard_type_id, key_name, key_value, shard_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shard_keys_by_shard ON shard_keys (tenant_id, shard_id, key_name);
"""


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a database created by an earlier version up to this schema."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(shard_links)")}
    if "content_hash" not in columns:
        conn.execute("ALTER TABLE shard_links ADD COLUMN content_hash TEXT")
