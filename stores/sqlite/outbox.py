"""``OutboxStore`` on SQLite, in the shard store's database file so that both commit as one.

``capturing()`` opens a write transaction; the shard store's own ``write()`` calls inside it join
that transaction (``SqliteDatabase.write`` is re-entrant), so a shard change and the outbox entry
it causes are committed, or rolled back, together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from stores.outbox import OutboxChange, OutboxEntry, OutboxOp, OutboxStatus, coalesce
from stores.sqlite.connection import SqliteDatabase

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    tenant_id TEXT NOT NULL, integration_id TEXT NOT NULL, shard_id TEXT NOT NULL,
    seq INTEGER NOT NULL, status TEXT NOT NULL, not_before TEXT, body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, integration_id, shard_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outbox_by_seq ON outbox (tenant_id, integration_id, status, seq);
"""


def _at(value: datetime) -> str:
    """A fixed-width UTC time, so that text order is time order."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _load(body: str) -> OutboxEntry:
    return OutboxEntry.model_validate_json(body)


class _Writer:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def enqueue(self, changes: Sequence[OutboxChange], now: datetime) -> None:
        for change in changes:
            row = self._conn.execute(
                "SELECT body FROM outbox WHERE tenant_id = ? AND integration_id = ? AND shard_id = ?",
                (change.tenant_id, change.integration_id, change.shard_id),
            ).fetchone()
            seq = 0
            if row is None:
                (seq,) = self._conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox WHERE tenant_id = ? AND integration_id = ?",
                    (change.tenant_id, change.integration_id),
                ).fetchone()
            _save(self._conn, coalesce(_load(row[0]) if row else None, change, now, seq))


def _save(conn: sqlite3.Connection, entry: OutboxEntry) -> None:
    conn.execute(
        "INSERT INTO outbox (tenant_id, integration_id, shard_id, seq, status, not_before, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, integration_id, shard_id) DO UPDATE SET "
        "seq = excluded.seq, status = excluded.status, not_before = excluded.not_before, body = excluded.body",
        (entry.tenant_id, entry.integration_id, entry.shard_id, entry.seq, entry.status.value,
         _at(entry.not_before) if entry.not_before else None, entry.model_dump_json(by_alias=True)),
    )


class SqliteOutboxStore:
    """The ``outbox`` table of the shard store's database."""

    transactional = True

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.ensure_schema("outbox", OUTBOX_SCHEMA)

    @contextmanager
    def capturing(self) -> Iterator[_Writer]:
        with self._db.write() as conn:
            yield _Writer(conn)

    def enqueue(self, changes: Sequence[OutboxChange], now: datetime) -> None:
        with self.capturing() as writer:
            writer.enqueue(changes, now)

    def get(self, tenant_id: str, integration_id: str, shard_id: str) -> OutboxEntry | None:
        row = self._db.connection().execute(
            "SELECT body FROM outbox WHERE tenant_id = ? AND integration_id = ? AND shard_id = ?",
            (tenant_id, integration_id, shard_id),
        ).fetchone()
        return _load(row[0]) if row else None

    def ready(self, tenant_id: str, integration_id: str, now: datetime, limit: int) -> list[OutboxEntry]:
        rows = self._db.connection().execute(
            "SELECT body FROM outbox WHERE tenant_id = ? AND integration_id = ? AND status = ? "
            "AND (not_before IS NULL OR not_before <= ?) ORDER BY seq LIMIT ?",
            (tenant_id, integration_id, OutboxStatus.PENDING.value, _at(now), limit),
        ).fetchall()
        return [_load(body) for (body,) in rows]

    def next_due_at(self, tenant_id: str, integration_id: str) -> datetime | None:
        row = self._db.connection().execute(
            "SELECT body FROM outbox WHERE tenant_id = ? AND integration_id = ? AND status = ? "
            "AND not_before IS NOT NULL ORDER BY not_before LIMIT 1",
            (tenant_id, integration_id, OutboxStatus.PENDING.value),
        ).fetchone()
        return _load(row[0]).not_before if row else None

    def entries(self, tenant_id: str, integration_id: str, limit: int = 100) -> list[OutboxEntry]:
        rows = self._db.connection().execute(
            "SELECT body FROM outbox WHERE tenant_id = ? AND integration_id = ? ORDER BY seq LIMIT ?",
            (tenant_id, integration_id, limit),
        ).fetchall()
        return [_load(body) for (body,) in rows]

    def ack(self, tenant_id: str, integration_id: str, shard_id: str, revision: int) -> bool:
        with self._db.write() as conn:
            cur = conn.execute(
                "DELETE FROM outbox WHERE tenant_id = ? AND integration_id = ? AND shard_id = ? "
                "AND json_extract(body, '$.revision') = ?",
                (tenant_id, integration_id, shard_id, revision),
            )
        return cur.rowcount > 0

    def amend(self, tenant_id: str, integration_id: str, shard_id: str, fields: Mapping[str, Any]) -> bool:
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT body FROM outbox WHERE tenant_id = ? AND integration_id = ? AND shard_id = ?",
                (tenant_id, integration_id, shard_id),
            ).fetchone()
            if row is None:
                return False
            current = _load(row[0])
            update = dict(fields)
            if update.get("external_id") and current.op == OutboxOp.CREATE:
                update["op"] = OutboxOp.UPDATE
            _save(conn, OutboxEntry.model_validate({**current.model_dump(), **update}))
        return True

    def integrations_with_work(self, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
        rows = self._db.connection().execute(
            "SELECT DISTINCT tenant_id, integration_id FROM outbox WHERE status = ? "
            "AND (not_before IS NULL OR not_before <= ?) LIMIT ?",
            (OutboxStatus.PENDING.value, _at(now), limit),
        ).fetchall()
        return [(tenant, integration) for tenant, integration in rows]
