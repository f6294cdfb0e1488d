"""Row-level writes of the SQLite shard store: a whole page in a few statements (``stores.sqlite.rows``)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from stores.shards import PageIndex
from stores.sqlite.collection import dumps
from stores.sqlite.rows import write_rows
from stores.sqlite.shard_links import IN_CHUNK, note_origins, release_claims, split_links
from stores.tokens import chunks


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


def encode_document(doc: Mapping[str, Any]) -> str:
    """A shard document (JSON data) as its stored text: orjson, or the store's ``dumps`` for what orjson
    refuses (integers beyond 64 bits)."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_PASSTHROUGH_DATETIME).decode("utf-8")
    except TypeError:
        return dumps(doc)


_UPSERT = (
    "INSERT INTO shards (tenant_id, id, shard_type_id, deleted, etag, body, link_integration_id, "
    "link_external_id, link_system, link_hash, link_run_id) VALUES {{rows}} "
    "ON CONFLICT (tenant_id, id) DO UPDATE SET {type_set}"
    "deleted = excluded.deleted, etag = excluded.etag, body = excluded.body, "
    "link_run_id = CASE WHEN excluded.link_integration_id IS shards.link_integration_id "
    "AND excluded.link_external_id IS shards.link_external_id "
    "THEN coalesce(excluded.link_run_id, shards.link_run_id) ELSE excluded.link_run_id END, "
    "link_integration_id = excluded.link_integration_id, link_external_id = excluded.link_external_id, "
    "link_system = excluded.link_system, link_hash = excluded.link_hash{keep_type}"
)
_UPSERT_SAME_TYPE = _UPSERT.format(type_set="", keep_type=" WHERE shards.shard_type_id = excluded.shard_type_id")
_UPSERT_ANY_TYPE = _UPSERT.format(type_set="shard_type_id = excluded.shard_type_id, ", keep_type="")


def write_documents(
    conn: sqlite3.Connection,
    tenant_id: str,
    docs: Sequence[Mapping[str, Any]],
    existing: set[str],
    index: PageIndex | None,
    *,
    dropped_links: Sequence[tuple[str, str, str]] = (),
) -> list[str]:
    """Insert or replace the rows of shard documents ``docs`` (``core.models.shard_document``'s shape), with
    their links and keys; returns their ETags.

    Links are upserted, which keeps each link's last seen run (other integrations' full syncs rely on
    theirs); origin links go to the shard's row, the others to ``shard_links`` (``stores.sqlite.shard_links``).
    ``dropped_links`` ((integration id, external id, shard id)) are relationships the caller removed from a
    shard (a link another shard took over since stays).
    """
    prefix = page_etag_prefix()
    etags = [f"{prefix}{n:x}" for n in range(len(docs))]
    run_for = index.integration_id if index is not None and index.run_id is not None else None
    run_id = index.run_id if index is not None else None
    split = [split_links(tenant_id, d) for d in docs]
    table_links = [(rel["integrationId"], rel["externalId"], d["id"], rel["system"],
                    run_id if rel["integrationId"] == run_for else None, rel.get("contentHash"))
                   for d, (_, others) in zip(docs, split, strict=True) for rel in others]
    origins = [origin for origin, _ in split]
    release_claims(conn, tenant_id, origins, [link[:3] for link in table_links])
    note_origins(conn, tenant_id, origins)
    # In shard id order (stable: a later document of the same id still wins): ids are random hashes, and
    # 2,000 inserts walking the id index in key order, leaf after leaf, cost about a third less than in page
    # order, each a descent to a leaf no longer in the CPU's caches. Listing follows this order within a page.
    order = sorted(range(len(docs)), key=lambda n: docs[n]["id"])
    rows = [
        (tenant_id, d["id"], d["shardTypeId"], int(d.get("deletedAt") is not None), etag, encode_document(d),
         *origin, run_id if origin.integration_id is not None and origin.integration_id == run_for else None)
        for d, etag, (origin, _) in ((docs[n], etags[n], split[n]) for n in order)
    ]
    # A shard keeps its type on nearly every update, and setting an indexed column, even to its own value,
    # moves the row's entry in the by-type index: a page of updates scattered over the table paid a random
    # index write per row for it. So the type is set only by a second pass, for rows the first one left
    # alone because their type differs (each row counts one change when written, none when left).
    changes = conn.total_changes
    write_rows(conn, _UPSERT_SAME_TYPE, rows)
    if conn.total_changes - changes != len(rows):
        write_rows(conn, _UPSERT_ANY_TYPE, rows)
    if dropped_links:
        conn.executemany(
            "DELETE FROM shard_links WHERE tenant_id = ? AND integration_id = ? AND external_id = ? AND shard_id = ?",
            [(tenant_id, *link) for link in dropped_links],
        )
    if table_links:
        write_rows(
            conn,
            "INSERT INTO shard_links (tenant_id, integration_id, external_id, shard_id, system, last_seen_run_id, "
            "content_hash) VALUES {rows} ON CONFLICT (tenant_id, integration_id, external_id) DO "
            "UPDATE SET shard_id = excluded.shard_id, system = excluded.system, content_hash = excluded.content_hash, "
            "last_seen_run_id = COALESCE(excluded.last_seen_run_id, shard_links.last_seen_run_id)",
            [(tenant_id, *link) for link in table_links],
        )
    if index is not None and index.key_name is not None:
        _write_keys(conn, tenant_id, docs, existing, index)
    return etags


def _write_keys(
    conn: sqlite3.Connection, tenant_id: str, docs: Sequence[Mapping[str, Any]], existing: set[str], index: PageIndex
) -> None:
    key_values = index.key_values or {}
    conn.executemany(
        "DELETE FROM shard_keys WHERE tenant_id = ? AND shard_id = ? AND key_name = ?",
        [(tenant_id, d["id"], index.key_name) for d in docs if d["id"] in existing],
    )
    write_rows(
        conn,
        "INSERT OR IGNORE INTO shard_keys (tenant_id, shard_type_id, key_name, key_value, shard_id) VALUES {rows}",
        [
            (tenant_id, d["shardTypeId"], index.key_name, value, d["id"])
            for d in docs
            for value in key_values.get(d["id"], ())
        ],
    )


def remove_shard_rows(conn: sqlite3.Connection, tenant_id: str, shard_id: str) -> bool:
    # The shard's links are the relationships in its document (there is no index by shard id); a link
    # another shard took over since is left alone.
    row = conn.execute(
        "SELECT json_extract(body, '$.externalRelationships') FROM shards WHERE tenant_id = ? AND id = ?",
        (tenant_id, shard_id),
    ).fetchone()
    for rel in json.loads(row[0] or "[]") if row else []:
        conn.execute(
            "DELETE FROM shard_links WHERE tenant_id = ? AND integration_id = ? AND external_id = ? AND shard_id = ?",
            (tenant_id, rel["integrationId"], rel["externalId"], shard_id),
        )
    cur = conn.execute("DELETE FROM shards WHERE tenant_id = ? AND id = ?", (tenant_id, shard_id))
    conn.execute("DELETE FROM shard_keys WHERE tenant_id = ? AND shard_id = ?", (tenant_id, shard_id))
    return cur.rowcount > 0
