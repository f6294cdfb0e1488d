"""Tables of the SQLite shard store.

``shards`` holds the document; ``shard_links`` one row per external relationship (the dedup
look-up by external id, and the per-integration ``last_seen_run_id`` that full syncs stamp to
detect deletions without holding every id in memory); ``shard_keys`` the dedup index values.
"""

SHARD_SCHEMA = """
CREATE TABLE IF NOT EXISTS shards (
    tenant_id TEXT NOT NULL, id TEXT NOT NULL, shard_type_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shards_by_type ON shards (tenant_id, shard_type_id, id);
CREATE TABLE IF NOT EXISTS shard_links (
    tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL, external_id TEXT NOT NULL,
    shard_id TEXT NOT NULL, system TEXT NOT NULL, last_seen_run_id TEXT,
    PRIMARY KEY (tenant_id, integration_id, external_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shard_links_by_shard ON shard_links (tenant_id, shard_id);
CREATE INDEX IF NOT EXISTS shard_links_by_system ON shard_links (tenant_id, system, external_id);
CREATE TABLE IF NOT EXISTS shard_keys (
    tenant_id TEXT NOT NULL, shard_type_id TEXT NOT NULL, key_name TEXT NOT NULL,
    key_value TEXT NOT NULL, shard_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, shard_type_id, key_name, key_value, shard_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shard_keys_by_shard ON shard_keys (tenant_id, shard_id, key_name);
"""
