"""``StagingStore`` on SQLite: one row per page holding the records as compact JSON text."""

from __future__ import annotations

import json
from typing import Any

from stores.sqlite.collection import dumps
from stores.sqlite.connection import SqliteDatabase

_SCHEMA = """CREATE TABLE IF NOT EXISTS staging (
    tenant_id TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;"""


class SqliteStagingStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.ensure_schema("staging", _SCHEMA)

    def put(self, tenant_id: str, key: str, records: list[dict[str, Any]]) -> None:
        row = (tenant_id, key, dumps(records))
        with self._db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO staging (tenant_id, key, body) VALUES (?, ?, ?)", row)

    def get(self, tenant_id: str, key: str) -> list[dict[str, Any]] | None:
        row = self._db.connection().execute(
            "SELECT body FROM staging WHERE tenant_id = ? AND key = ?", (tenant_id, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, tenant_id: str, key: str) -> bool:
        with self._db.write() as conn:
            cur = conn.execute("DELETE FROM staging WHERE tenant_id = ? AND key = ?", (tenant_id, key))
        return cur.rowcount > 0
