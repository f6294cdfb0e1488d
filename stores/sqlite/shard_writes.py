"""Row-level writes of the SQLite shard store, always a whole page per statement (executemany)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence

from core.models import Shard
from stores.shards import PageIndex
from stores.tokens import chunks

IN_CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit


def page_etag_prefix() -> str:
    """A random prefix; ``prefix + index`` gives each row of a page a unique ETag cheaply."""
    return os.urandom(6).hex()


def existing_ids(conn: sqlite3.Connection, tenant_id: str, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(ids, IN_CHUNK):
        rows = conn.execute(
            f"SELECT id FROM shards WHERE tenant_id = ? AND id IN ({','.join('?' * len(part))})",
            (tenant_id, *part),
        )
        found.update(row[0] for row in rows)
    return found


def write_shards(
    conn: sqlite3.Connection,
    tenant_id: str,
    shards: Sequence[Shard],
    existing: set[str],
    index: PageIndex | None,
    *,
    rebuild_links: bool = False,
) -> list[str]:
    """Insert or replace the rows of ``shards`` (and their links and keys); returns their ETags.

    Links are upserted, which keeps each link's ``last_seen_run_id`` (other integrations' full
    syncs rely on theirs); ``rebuild_links`` also drops links whose relationship was removed.
    """
    prefix = page_etag_prefix()
    etags = [f"{prefix}{n:x}" for n in range(len(shards))]
    conn.executemany(
        "INSERT INTO shards (tenant_id, id, shard_type_id, deleted, etag, body) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (tenant_id, id) DO UPDATE SET shard_type_id = excluded.shard_type_id, "
        "deleted = excluded.deleted, etag = excluded.etag, body = excluded.body",
        [
            (tenant_id, s.id, s.shard_type_id, int(s.deleted_at is not None), etag,
             s.model_dump_json(by_alias=True, exclude={"etag"}))
            for s, etag in zip(shards, etags, strict=True)
        ],
    )
    if rebuild_links:
        conn.executemany(
            "DELETE FROM shard_links WHERE tenant_id = ? AND shard_id = ?", [(tenant_id, s.id) for s in shards]
        )
    _write_links(conn, tenant_id, shards, index)
    if index is not None and index.key_name is not None:
        _write_keys(conn, tenant_id, shards, existing, index)
    return etags


def _write_links(conn: sqlite3.Connection, tenant_id: str, shards: Sequence[Shard], index: PageIndex | None) -> None:
    run_for = index.integration_id if index is not None and index.run_id is not None else None
    rows = [
        (tenant_id, rel.integration_id, rel.external_id, s.id, rel.system,
         index.run_id if index is not None and rel.integration_id == run_for else None, rel.content_hash)
        for s in shards
        for rel in s.external_relationships
    ]
    conn.executemany(
        "INSERT INTO shard_links (tenant_id, integration_id, external_id, shard_id, system, last_seen_run_id, "
        "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, integration_id, external_id) DO UPDATE "
        "SET shard_id = excluded.shard_id, system = excluded.system, content_hash = excluded.content_hash, "
        "last_seen_run_id = COALESCE(excluded.last_seen_run_id, shard_links.last_seen_run_id)",
        rows,
    )


def _write_keys(
    conn: sqlite3.Connection, tenant_id: str, shards: Sequence[Shard], existing: set[str], index: PageIndex
) -> None:
    key_values = index.key_values or {}
    conn.executemany(
        "DELETE FROM shard_keys WHERE tenant_id = ? AND shard_id = ? AND key_name = ?",
        [(tenant_id, s.id, index.key_name) for s in shards if s.id in existing],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO shard_keys (tenant_id, shard_type_id, key_name, key_value, shard_id) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (tenant_id, s.shard_type_id, index.key_name, value, s.id)
            for s in shards
            for value in key_values.get(s.id, ())
        ],
    )


def remove_shard_rows(conn: sqlite3.Connection, tenant_id: str, shard_id: str) -> bool:
    cur = conn.execute("DELETE FROM shards WHERE tenant_id = ? AND id = ?", (tenant_id, shard_id))
    conn.execute("DELETE FROM shard_links WHERE tenant_id = ? AND shard_id = ?", (tenant_id, shard_id))
    conn.execute("DELETE FROM shard_keys WHERE tenant_id = ? AND shard_id = ?", (tenant_id, shard_id))
    return cur.rowcount > 0
