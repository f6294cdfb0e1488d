"""Background checkpoints keep a busy WAL database's WAL file bounded without commits checkpointing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from stores.sqlite.checkpoints import Checkpointer
from stores.sqlite.connection import SqliteDatabase


def _wal_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_the_checkpointer_copies_the_wal_back_and_writes_restart_it(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = SqliteDatabase(path)
    db.connection().execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
    checkpointer = Checkpointer(path, busy_timeout_ms=1000, passive_bytes=1, restart_bytes=4 * 1024 * 1024,
                                interval=0.02)
    checkpointer.start()
    try:
        peak = 0
        for n in range(200):  # ~20 MB written, never pausing for long
            with db.write() as conn:
                conn.execute("INSERT OR REPLACE INTO t VALUES (?, ?)", (n % 20, b"x" * 100_000))
            peak = max(peak, _wal_bytes(path))
            time.sleep(0.001)
        time.sleep(0.2)
        with db.write() as conn:  # a write after a complete checkpoint starts the WAL over
            conn.execute("INSERT OR REPLACE INTO t VALUES (0, x'00')")
        (count,) = db.connection().execute("SELECT count(*) FROM t").fetchone()
    finally:
        checkpointer.stop()
        db.close()
    assert count == 20
    assert peak < 16 * 1024 * 1024  # bounded near restart_bytes, though writes never stopped
    assert _wal_bytes(path) < 16 * 1024 * 1024


def _checkpointers(name: str) -> int:
    return sum(1 for t in threading.enumerate() if t.name == f"checkpoint-{name}")


def test_one_checkpointer_per_file_shared_until_its_last_database_closes(tmp_path: Path) -> None:
    first, second = SqliteDatabase(tmp_path / "d.db"), SqliteDatabase(tmp_path / "d.db")
    first.connection().execute("CREATE TABLE t (k INTEGER)")
    second.connection().execute("SELECT 1")
    assert _checkpointers("d.db") == 1
    first.close()
    assert _checkpointers("d.db") == 1  # the other database still uses the file
    second.close()
    assert _checkpointers("d.db") == 0
