"""Checkpoints of a WAL database on a thread of their own, so no commit waits for one.

By default the commit that takes the WAL past ``wal_autocheckpoint`` copies the WAL into the database file
and syncs both before it returns: every few sync pages, one save stalls for that I/O. Here commits only
append to the WAL; a ``Checkpointer`` thread (one per database file and process) copies it in the
background (``PASSIVE``: never blocks a writer) once it holds ``passive_bytes``, and makes writers wait for
a full ``RESTART`` only if the WAL outgrows ``restart_bytes`` (a passive checkpoint cannot catch up with
writes that never pause, and the WAL must not grow without bound). Connections keep a high
``wal_autocheckpoint`` as a safety net should this thread ever stop.

Several objects of a process may open the same file (the stores, the credential leases): ``acquire`` and
``release`` share one checkpointer per file among them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from pathlib import Path

log = logging.getLogger(__name__)

SAFETY_NET_PAGES = 32_768  # 128 MB: commits checkpoint themselves only past this
_PASSIVE_BYTES = 16 * 1024 * 1024
_RESTART_BYTES = 96 * 1024 * 1024
_INTERVAL_SECONDS = 0.2


class Checkpointer:
    """A daemon thread checkpointing one database file; ``stop`` ends it."""

    def __init__(self, path: Path, *, busy_timeout_ms: int, passive_bytes: int = _PASSIVE_BYTES,
                 restart_bytes: int = _RESTART_BYTES, interval: float = _INTERVAL_SECONDS) -> None:
        self._path, self._wal = path, path.with_name(path.name + "-wal")
        self._busy_timeout_ms = busy_timeout_ms
        self._passive, self._restart, self._interval = passive_bytes, restart_bytes, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"checkpoint-{path.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        try:
            while not self._stop.wait(self._interval):
                self._step(conn)
        finally:
            conn.close()

    def _step(self, conn: sqlite3.Connection) -> None:
        try:
            size = self._wal.stat().st_size
        except FileNotFoundError:
            return
        if size < self._passive:
            return
        mode = "RESTART" if size >= self._restart else "PASSIVE"
        try:
            conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        except sqlite3.Error as exc:  # busy past the timeout, or the file is going away: try again later
            log.debug("checkpoint of %s skipped: %s", self._path.name, exc)


_shared: dict[Path, Checkpointer] = {}
_users: Counter[Path] = Counter()
_shared_lock = threading.Lock()


def acquire(path: Path, *, busy_timeout_ms: int) -> Path:
    """Make sure ``path`` has this process's checkpointer running; pair with ``release(path)``."""
    key = path.resolve()
    with _shared_lock:
        if _users[key] == 0:
            _shared[key] = Checkpointer(key, busy_timeout_ms=busy_timeout_ms)
            _shared[key].start()
        _users[key] += 1
    return key


def release(key: Path) -> None:
    """One user of ``acquire``'s file is done; the last one stops its checkpointer."""
    with _shared_lock:
        _users[key] -= 1
        if _users[key] > 0:
            return
        del _users[key]
        checkpointer = _shared.pop(key)
    checkpointer.stop()
