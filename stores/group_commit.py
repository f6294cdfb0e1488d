"""Group commit: concurrent writers share one transaction, run on the event loop that awaits them.

At a thousand deliveries a second, a SQLite commit (two, with the audit record) per delivery make
writers queue on the database lock, where SQLite's busy handler sleeps in steps of milliseconds.
Here a delivery queues its writes and awaits them; the loop runs everything queued in one
``transaction()``, then resolves every waiter. Nothing is acknowledged before its transaction has
committed, so "persisted before acknowledged" holds; a failed transaction fails every delivery of
the batch (none of its writes committed), and each answers as if its own write failed.

The batch runs on the loop itself, not on a writer thread: a batch is a few inserts and a commit
(about a hundred microseconds of CPU that the process spends either way), while a hop to a thread
and back cost as much again (queue hand-off, a wake-up of the loop through its self-pipe, and the
two threads passing the GIL back and forth). What must never block the loop is the write lock, held
by other connections (the drainer) for milliseconds at a time: the loop's connection does not wait
for it (``busy_timeout=0``); a batch that finds it taken is tried again every ``LOCK_POLL_SECONDS``
from a loop timer, and fails after ``LOCK_WAIT_SECONDS``. Deliveries that arrive meanwhile join it.

``group_commit(stores)`` is the one instance per ``Stores``. Without a transaction (Cosmos: each
write is its own request) jobs run on worker threads, concurrently, one hop each.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from stores.errors import StoreUnavailable
from stores.sqlite.connection import SqliteDatabase

if TYPE_CHECKING:
    from stores.factory import Stores

T = TypeVar("T")
Job = Callable[[], Any]
LOCK_POLL_SECONDS = 0.0005
LOCK_WAIT_SECONDS = 10.0  # as long as the stores' busy timeout


class _Busy(Exception):
    """The write lock is held by another connection: nothing ran, try the batch again."""


class GroupCommit:
    """Runs write jobs in batches, one transaction per batch, for callers on one event loop."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[Any]] | None,
                 max_batch: int = 256) -> None:
        self._transaction = transaction
        self._max_batch = max_batch
        self._pending: list[tuple[Job, asyncio.Future[Any]]] = []
        self._flushing = False
        self._busy_since: float | None = None  # when the batch at the head first found the lock taken

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()``'s result once the transaction it ran in has committed."""
        if self._transaction is None:
            return await asyncio.to_thread(fn)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((fn, future))
        if not self._flushing:
            self._flushing = True
            loop.call_soon(self._flush, loop)  # after the deliveries already runnable have queued theirs
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._pending[: self._max_batch]
        try:
            results = self._commit([fn for fn, _ in batch])
        except _Busy:
            self._busy_since = self._busy_since or time.monotonic()
            if time.monotonic() - self._busy_since <= LOCK_WAIT_SECONDS:
                loop.call_later(LOCK_POLL_SECONDS, self._flush, loop)
                return
            self._settle(batch, StoreUnavailable("sqlite database is busy: the write lock was not released"))
        except Exception as exc:  # handed to every waiter of the batch: none of its writes committed
            self._settle(batch, exc)
        except BaseException:  # KeyboardInterrupt, SystemExit: the loop stops; the waiters hear why
            self._settle(batch, StoreUnavailable("the write batch was interrupted"))
            self._flushing = False
            raise
        else:
            self._settle(batch, None, results)
        if self._pending:
            loop.call_soon(self._flush, loop)
        else:
            self._flushing = False

    def _settle(self, batch: list[tuple[Job, asyncio.Future[Any]]], exc: BaseException | None,
                results: list[Any] | None = None) -> None:
        del self._pending[: len(batch)]
        self._busy_since = None
        for n, (_, future) in enumerate(batch):
            if future.done():
                continue
            if exc is not None:
                future.set_exception(exc)
            else:
                assert results is not None
                future.set_result(results[n])

    def _commit(self, jobs: list[Job]) -> list[Any]:
        assert self._transaction is not None
        owner = getattr(self._transaction, "__self__", None)
        if isinstance(owner, SqliteDatabase):  # set before its first BEGIN, which must not wait either
            owner.never_wait()
            _leave_checkpoints(owner.connection())
        try:
            with self._transaction():
                return [job() for job in jobs]
        except StoreUnavailable as exc:  # BEGIN IMMEDIATE found the lock taken: nothing ran
            raise _Busy from exc

    def close(self) -> None:
        """Nothing to release: kept for callers that close what they built."""


def _leave_checkpoints(conn: sqlite3.Connection) -> None:
    """The loop's own SQLite connection leaves checkpoints to others.

    It never waits for the write lock either (``SqliteDatabase.never_wait``): SQLite's busy handler would
    sleep (1, 2, 5, 10, 15... ms between tries) on the event loop's thread, stopping every request of the
    process; ``_flush`` polls from a timer instead. A WAL checkpoint (and its fsync) runs in the connection
    whose commit crosses the WAL's size threshold: the checkpointer thread and the drainer's connections
    take them.
    """
    if getattr(_tuned, "conn", None) is not conn:
        conn.execute("PRAGMA wal_autocheckpoint=0")
        _tuned.conn = conn


_tuned = threading.local()  # per thread: the connection last tuned
_instances: dict[int, tuple[Stores, GroupCommit]] = {}
_instances_lock = threading.Lock()


def group_commit(stores: Stores) -> GroupCommit:
    """The process's ``GroupCommit`` over ``stores``."""
    with _instances_lock:
        found = _instances.get(id(stores))
        if found is None or found[0] is not stores:
            found = _instances[id(stores)] = (stores, GroupCommit(stores.transaction))
        return found[1]
