"""One SQLite database file shared by the embedded stores: WAL, one connection per thread.

Activities run on worker threads, so each thread gets its own connection (a sqlite3
connection must not be shared across threads while in use). WAL lets readers proceed while one
writer commits; ``BEGIN IMMEDIATE`` takes the write lock up front so a transaction never
fails half-way on a lock upgrade, and ``busy_timeout`` makes concurrent writers queue.

The threads of one process queue for the write lock on a lock of their own (one per database file),
which wakes the next writer as soon as a transaction ends. SQLite's busy handler instead sleeps 1, 2,
5, 10, 25... ms between tries, so with several syncs saving pages at once a writer could still be
asleep well after the lock came free. Other processes still wait through ``busy_timeout``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stores.errors import StoreUnavailable
from stores.sqlite import checkpoints
from stores.sqlite.checkpoints import SAFETY_NET_PAGES

BUSY_TIMEOUT_MS = 10_000
_writers: dict[Path, threading.Lock] = {}
_writers_lock = threading.Lock()


def _writer_lock(path: Path) -> threading.Lock:
    """The write lock of ``path`` for this process's threads (shared by every ``SqliteDatabase`` of it)."""
    key = path.resolve()
    with _writers_lock:
        return _writers.setdefault(key, threading.Lock())


_PRAGMAS = (
    # 16 KiB pages for a new file (an existing one keeps its size): a sync page's 2,000 documents of about
    # 700 bytes each pack into fewer pages, and each index leaf a commit rewrites carries four times the
    # entries; inserting 100,000 shards takes about a third less CPU time than with the default 4 KiB.
    "PRAGMA page_size=16384",
    "PRAGMA journal_mode=WAL",
    # NORMAL in WAL mode is durable against process crashes (not power loss) and much faster.
    "PRAGMA synchronous=NORMAL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA temp_store=MEMORY",
    # Checkpoints run on a thread of their own (``Checkpointer``); a commit checkpoints only past this.
    f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}",
    "PRAGMA journal_size_limit=67108864",  # the WAL file shrinks back to 64 MB after a checkpoint
    # All of SQLite's memory in this process (every thread's connection and page cache) past 8 MB is given
    # back before more is taken: a worker process runs page activities on several threads, each with its own
    # connection, and kept 12-16 MB (bench/sync.py with two workers: peak 278-286 MB in all, 284-300 before).
    "PRAGMA soft_heap_limit=8388608",
)


class SqliteDatabase:
    """A database file plus per-thread connections; ``schema`` scripts run once per instance."""

    def __init__(self, path: str | Path, *, cache_mb: int = 4) -> None:
        self.path = Path(path)
        # Page cache per connection, so per thread. 4 MB: a page's inserts walk the id index in key order
        # (``shard_writes``), and a connection's cache is dropped whenever another one commits (every other
        # thread and worker process), so 16 MB saved about 1 ms of a 40 ms page while each activity thread
        # held up to 16 MB of it (with two worker processes, about 12 MB more at peak).
        self._cache_pragma = f"PRAGMA cache_size=-{cache_mb * 1024}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._schemas: set[str] = set()
        self._checkpointed: Path | None = None  # the file whose shared checkpointer this object holds
        self._writer = _writer_lock(self.path)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode: transactions are explicit)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            for pragma in (*_PRAGMAS, self._cache_pragma):
                conn.execute(pragma)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
                if self._checkpointed is None:  # from the first connection on (WAL mode is set by then)
                    self._checkpointed = checkpoints.acquire(self.path, busy_timeout_ms=BUSY_TIMEOUT_MS)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back on any error.

        Inside another ``write()`` on the same thread it joins the enclosing transaction, so that
        several stores' writes (a shard change and its write-back outbox entry) commit as one.
        """
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        if not self._writer.acquire(timeout=getattr(self._local, "wait_seconds", BUSY_TIMEOUT_MS / 1000)):
            raise StoreUnavailable("sqlite database is busy: another thread of this process is writing")
        try:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:  # the lock stayed busy past busy_timeout
                raise StoreUnavailable(f"sqlite database is busy: {exc}") from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            self._writer.release()

    def never_wait(self) -> None:
        """This thread's write transactions fail at once (``StoreUnavailable``) while another writer holds
        the lock, in this process or another (``busy_timeout`` 0): for an event loop's thread, which must
        not block."""
        conn = self.connection()
        if getattr(self._local, "wait_seconds", None) != 0:
            conn.execute("PRAGMA busy_timeout=0")
            self._local.wait_seconds = 0

    def ensure_schema(self, name: str, script: str) -> None:
        """Run a ``CREATE ... IF NOT EXISTS`` script once per database instance."""
        if name in self._schemas:
            return
        with self._lock:
            if name not in self._schemas:
                self.connection().executescript(script)
                self._schemas.add(name)

    def close(self) -> None:
        """Close every connection this instance opened (call at shutdown, not per request)."""
        with self._lock:
            if self._checkpointed is not None:
                checkpoints.release(self._checkpointed)
                self._checkpointed = None
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
