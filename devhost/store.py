"""The SQLite task hub.

One database file holds everything a restart needs: instances and their replay bookkeeping, the history of
each instance's current generation, the inbox of events not yet delivered, outstanding activity work,
durable timers, entity state and queued entity operations, and timer-trigger schedules. Every state change
of the engine happens inside one transaction (`Store.transaction()`), so an episode is all or nothing.

The store is used from a single thread (the engine's core thread).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances(
  instance_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  custom_status TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  parent_id TEXT,
  parent_task_id INTEGER,
  parent_execution_id TEXT,
  meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_created ON instances(created_at);
CREATE TABLE IF NOT EXISTS history(
  instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY(instance_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_instance ON inbox(instance_id, id);
CREATE TABLE IF NOT EXISTS tasks(
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
  task_id INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, input TEXT
);
CREATE INDEX IF NOT EXISTS tasks_instance ON tasks(instance_id);
CREATE TABLE IF NOT EXISTS timers(
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
  timer_task_id INTEGER NOT NULL, fire_at TEXT NOT NULL, event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS timers_instance ON timers(instance_id);
CREATE TABLE IF NOT EXISTS entities(
  entity_id TEXT PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL,
  exists_ INTEGER NOT NULL, state TEXT, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_ops(
  id INTEGER PRIMARY KEY AUTOINCREMENT, entity_id TEXT NOT NULL, op TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entity_ops_entity ON entity_ops(entity_id, id);
CREATE TABLE IF NOT EXISTS schedules(
  name TEXT PRIMARY KEY, last TEXT, next TEXT
);
"""

INSTANCE_COLUMNS = (
    "instance_id", "name", "execution_id", "status", "input", "output", "custom_status",
    "created_at", "updated_at", "parent_id", "parent_task_id", "parent_execution_id", "meta",
)


class Store:
    """Thin, synchronous access to the task hub tables."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process kill (only an OS crash can lose the last commits).
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # instances ---------------------------------------------------------------------------------------
    def get_instance(self, instance_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM instances WHERE instance_id=?", (instance_id,)).fetchone()
        return dict(row) if row else None

    def put_instance(self, inst: dict[str, Any]) -> None:
        cols = ",".join(INSTANCE_COLUMNS)
        marks = ",".join("?" for _ in INSTANCE_COLUMNS)
        self.db.execute(
            f"INSERT OR REPLACE INTO instances({cols}) VALUES({marks})", [inst.get(c) for c in INSTANCE_COLUMNS]
        )

    def list_instances(self, where: str = "", args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        sql = "SELECT * FROM instances" + (f" WHERE {where}" if where else "") + " ORDER BY created_at"
        return [dict(r) for r in self.db.execute(sql, args)]

    def delete_instance(self, instance_id: str) -> None:
        for table in ("instances", "history", "inbox", "tasks", "timers"):
            self.db.execute(f"DELETE FROM {table} WHERE instance_id=?", (instance_id,))

    # history -----------------------------------------------------------------------------------------
    def load_history(self, instance_id: str) -> list[str]:
        rows = self.db.execute("SELECT event FROM history WHERE instance_id=? ORDER BY seq", (instance_id,))
        return [r[0] for r in rows]

    def append_history(self, instance_id: str, start_seq: int, events: list[str]) -> None:
        self.db.executemany(
            "INSERT INTO history(instance_id, seq, event) VALUES(?,?,?)",
            [(instance_id, start_seq + i, e) for i, e in enumerate(events)],
        )

    def clear_history(self, instance_id: str) -> None:
        self.db.execute("DELETE FROM history WHERE instance_id=?", (instance_id,))

    # inbox -------------------------------------------------------------------------------------------
    def enqueue_event(self, instance_id: str, event: str) -> None:
        self.db.execute("INSERT INTO inbox(instance_id, event) VALUES(?,?)", (instance_id, event))

    def pending_events(self, instance_id: str) -> list[tuple[int, str]]:
        rows = self.db.execute("SELECT id, event FROM inbox WHERE instance_id=? ORDER BY id", (instance_id,))
        return [(r[0], r[1]) for r in rows]

    def delete_events(self, ids: list[int]) -> None:
        self.db.executemany("DELETE FROM inbox WHERE id=?", [(i,) for i in ids])

    def clear_inbox(self, instance_id: str) -> None:
        self.db.execute("DELETE FROM inbox WHERE instance_id=?", (instance_id,))

    def instances_with_events(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT instance_id FROM inbox")]

    # activity work -----------------------------------------------------------------------------------
    def add_task(self, instance_id: str, execution_id: str, task_id: int, kind: str, name: str,
                 payload: str | None) -> int:
        cur = self.db.execute(
            "INSERT INTO tasks(instance_id, execution_id, task_id, kind, name, input) VALUES(?,?,?,?,?,?)",
            (instance_id, execution_id, task_id, kind, name, payload),
        )
        return int(cur.lastrowid or 0)

    def take_task(self, row_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM tasks WHERE id=?", (row_id,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM tasks WHERE id=?", (row_id,))
        return dict(row)

    def all_tasks(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM tasks ORDER BY id")]

    # timers ------------------------------------------------------------------------------------------
    def add_timer(self, instance_id: str, execution_id: str, timer_task_id: int, fire_at: str,
                  event: str) -> int:
        cur = self.db.execute(
            "INSERT INTO timers(instance_id, execution_id, timer_task_id, fire_at, event) VALUES(?,?,?,?,?)",
            (instance_id, execution_id, timer_task_id, fire_at, event),
        )
        return int(cur.lastrowid or 0)

    def take_timer(self, row_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM timers WHERE id=?", (row_id,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM timers WHERE id=?", (row_id,))
        return dict(row)

    def cancel_timer(self, instance_id: str, timer_task_id: int) -> None:
        self.db.execute(
            "DELETE FROM timers WHERE instance_id=? AND timer_task_id=?", (instance_id, timer_task_id)
        )

    def clear_timers(self, instance_id: str) -> None:
        self.db.execute("DELETE FROM timers WHERE instance_id=?", (instance_id,))

    def all_timers(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT id, fire_at FROM timers")]

    # entities ----------------------------------------------------------------------------------------
    def get_entity(self, entity_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM entities WHERE entity_id=?", (entity_id,)).fetchone()
        return dict(row) if row else None

    def put_entity(self, entity_id: str, name: str, key: str, exists: bool, state: str | None,
                   now: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO entities(entity_id, name, key, exists_, state, updated_at) VALUES(?,?,?,?,?,?)",
            (entity_id, name, key, int(exists), state, now),
        )

    def list_entities(self, name: str | None = None) -> list[dict[str, Any]]:
        if name:
            rows = self.db.execute("SELECT * FROM entities WHERE name=? AND exists_=1 ORDER BY key", (name,))
        else:
            rows = self.db.execute("SELECT * FROM entities WHERE exists_=1 ORDER BY name, key")
        return [dict(r) for r in rows]

    def enqueue_entity_op(self, entity_id: str, op: str) -> None:
        self.db.execute("INSERT INTO entity_ops(entity_id, op) VALUES(?,?)", (entity_id, op))

    def entity_ops(self, entity_id: str, limit: int) -> list[tuple[int, str]]:
        rows = self.db.execute(
            "SELECT id, op FROM entity_ops WHERE entity_id=? ORDER BY id LIMIT ?", (entity_id, limit)
        )
        return [(r[0], r[1]) for r in rows]

    def delete_entity_ops(self, ids: list[int]) -> None:
        self.db.executemany("DELETE FROM entity_ops WHERE id=?", [(i,) for i in ids])

    def entities_with_ops(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT entity_id FROM entity_ops")]

    # timer-trigger schedules -------------------------------------------------------------------------
    def get_schedule(self, name: str) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT last, next FROM schedules WHERE name=?", (name,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def put_schedule(self, name: str, last: str | None, nxt: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO schedules(name, last, next) VALUES(?,?,?)", (name, last, nxt))
