"""``StagingStore`` on SQLite: one row per page holding the records, as JSON.

A staged page (about 1 MB as JSON for 2,000 records) is written once and read once, so encoding and decoding
it are on every page's critical path. orjson writes it in about half the time MessagePack (used before) took
and reads it back in two thirds; a page it cannot encode (integers beyond 64 bits) is written by ``json``
instead. One difference from ``json``: NaN and infinities read back as ``null``, which is what the shard
store writes for them in any case. Pages are not compressed: staging has a database file of its own, and
writing, reading and deleting an uncompressed page costs less than half the CPU time of compressing it
(zlib level 1) and decompressing it, CPU being what a sync runs short of. Rows written by earlier versions
(JSON text, compressed JSON or MessagePack) still read.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgpack
import orjson

from stores.documents import sortable_time, utc_now
from stores.sqlite.collection import dumps
from stores.sqlite.connection import SqliteDatabase

_SCHEMA = """CREATE TABLE IF NOT EXISTS staging (
    tenant_id TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, staged_at TEXT,
    PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;"""
# The body column is declared TEXT (older databases); SQLite keeps a BLOB value as a BLOB in it.
# First byte of a BLOB body: how it is encoded. Upper case: under zlib compression (earlier versions).
_PLAIN_ORJSON, _PLAIN_JSON = b"o", b"j"
_ORJSON, _MSGPACK, _JSON = b"O", b"M", b"J"


def encode_page(records: list[dict[str, Any]]) -> bytes:
    """A page as a BLOB body: format byte + zlib stream."""
    try:
        return _PLAIN_ORJSON + orjson.dumps(records, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, or not JSON data at all
        return _PLAIN_JSON + dumps(records).encode("utf-8")  # json keeps big integers, and fails on the rest


def decode_page(body: bytes | str) -> list[dict[str, Any]]:
    """The records of a body written by ``encode_page`` or, as JSON text, by earlier versions."""
    if isinstance(body, str):
        return json.loads(body)  # type: ignore[no-any-return]
    if body[:1] == _PLAIN_ORJSON:
        return orjson.loads(memoryview(body)[1:])  # type: ignore[no-any-return]
    if body[:1] == _PLAIN_JSON:
        return json.loads(memoryview(body)[1:].tobytes())  # type: ignore[no-any-return]
    if body[:1] == _ORJSON:
        return orjson.loads(zlib.decompress(body[1:]))  # type: ignore[no-any-return]
    if body[:1] == _MSGPACK:
        return msgpack.unpackb(zlib.decompress(body[1:]))  # type: ignore[no-any-return]
    # compressed JSON, with its format byte or (briefly, before MessagePack) without one
    return json.loads(zlib.decompress(body[1:] if body[:1] == _JSON else body))  # type: ignore[no-any-return]


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
        return decode_page(row[0]) if row else None

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
