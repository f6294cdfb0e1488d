"""``StagingStore`` on SQLite, as earlier versions kept staged pages: one row per page in ``staging.db``.

The embedded backend now stages pages as files (``stores.files.staging``); this store stays to read and clear
the pages that a run in flight across the upgrade left here (``open_legacy_staging``). Bodies are
``encode_page``'s; rows written by still earlier versions (JSON text, compressed JSON or MessagePack) still read.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgpack
import orjson

from stores.documents import sortable_time, utc_now
from stores.sqlite.connection import SqliteDatabase
from stores.staging import PLAIN_JSON, PLAIN_ORJSON, decode_page, encode_page

_SCHEMA = """CREATE TABLE IF NOT EXISTS staging (
    tenant_id TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, staged_at TEXT,
    PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;"""
# The body column is declared TEXT (older databases); SQLite keeps a BLOB value as a BLOB in it.
# First byte of a BLOB body written by earlier versions: how it is encoded, under zlib compression.
_ORJSON, _MSGPACK, _JSON = b"O", b"M", b"J"
_LEGACY_CACHE_MB = 1  # its pages are read once, if at all


def decode_row(body: bytes | str) -> list[dict[str, Any]]:
    """The records of a row's body: ``encode_page``'s or, as JSON text or compressed, earlier versions'."""
    if isinstance(body, str):
        return json.loads(body)  # type: ignore[no-any-return]
    if body[:1] in (PLAIN_ORJSON, PLAIN_JSON):
        return decode_page(body)
    if body[:1] == _ORJSON:
        return orjson.loads(zlib.decompress(body[1:]))  # type: ignore[no-any-return]
    if body[:1] == _MSGPACK:
        return msgpack.unpackb(zlib.decompress(body[1:]))  # type: ignore[no-any-return]
    # compressed JSON, with its format byte or (briefly, before MessagePack) without one
    return json.loads(zlib.decompress(body[1:] if body[:1] == _JSON else body))  # type: ignore[no-any-return]


def open_legacy_staging(path: Path) -> SqliteStagingStore | None:
    """The staging database of earlier versions at ``path``, for the pages it still holds; None when there is
    none (nothing is created). One without pages is deleted, so that later starts do not open it at all."""
    if not path.exists():
        return None
    store = SqliteStagingStore(SqliteDatabase(path, cache_mb=_LEGACY_CACHE_MB))
    if store.has_pages():
        return store
    store.close()
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return None


class SqliteStagingStore:
    def __init__(self, db: SqliteDatabase, clock: Callable[[], datetime] = utc_now) -> None:
        self._db = db
        self._clock = clock
        db.ensure_schema("staging", _SCHEMA)
        columns = {row[1] for row in db.connection().execute("PRAGMA table_info(staging)")}
        if "staged_at" not in columns:  # a database from before purging existed
            db.connection().execute("ALTER TABLE staging ADD COLUMN staged_at TEXT")

    def put(self, tenant_id: str, key: str, records: list[dict[str, Any]]) -> None:
        row = (tenant_id, key, encode_page(records), sortable_time(self._clock()))
        with self._db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO staging (tenant_id, key, body, staged_at) VALUES (?, ?, ?, ?)", row)

    def get(self, tenant_id: str, key: str) -> list[dict[str, Any]] | None:
        row = self._db.connection().execute(
            "SELECT body FROM staging WHERE tenant_id = ? AND key = ?", (tenant_id, key)
        ).fetchone()
        return decode_row(row[0]) if row else None

    def delete(self, tenant_id: str, key: str) -> bool:
        with self._db.write() as conn:
            cur = conn.execute("DELETE FROM staging WHERE tenant_id = ? AND key = ?", (tenant_id, key))
        return cur.rowcount > 0

    def delete_prefix(self, tenant_id: str, prefix: str) -> int:
        with self._db.write() as conn:
            cur = conn.execute(
                "DELETE FROM staging WHERE tenant_id = ? AND substr(key, 1, ?) = ?", (tenant_id, len(prefix), prefix)
            )
        return cur.rowcount

    def purge_before(self, cutoff: datetime) -> int:
        with self._db.write() as conn:
            # Rows without a time predate staged_at: old enough by definition.
            cur = conn.execute(
                "DELETE FROM staging WHERE staged_at IS NULL OR staged_at < ?", (sortable_time(cutoff),)
            )
        return cur.rowcount

    def has_pages(self) -> bool:
        """Whether any tenant has a page staged here."""
        return self._db.connection().execute("SELECT 1 FROM staging LIMIT 1").fetchone() is not None

    def close(self) -> None:
        """Close the database's connections (the store owns its database file)."""
        self._db.close()
