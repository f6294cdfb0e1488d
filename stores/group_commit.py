"""Group commit: concurrent writers share one transaction on one writer thread.

At a thousand deliveries a second, a SQLite commit (two, with the audit record) and a thread hop per
delivery make writers queue on the database lock, where SQLite's busy handler sleeps in steps of
milliseconds, and the event loop spends its time waking up for finished threads. Here a delivery
queues its writes and awaits them; one writer thread runs everything queued in one
``transaction()``, then resolves every waiter. Nothing is acknowledged before its transaction has
committed, so "persisted before acknowledged" holds; a failed transaction fails every delivery of
the batch (none of its writes committed), and each answers as if its own write failed.

``group_commit(stores)`` is the one instance per ``Stores`` (one writer thread per database).

Without a transaction (Cosmos: each write is its own request) jobs run on worker threads,
concurrently, one hop each.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from stores.errors import StoreUnavailable

if TYPE_CHECKING:
    from stores.factory import Stores

T = TypeVar("T")
Job = Callable[[], Any]
LOCK_POLL_SECONDS = 0.0005
LOCK_WAIT_SECONDS = 10.0  # as long as the stores' busy timeout


class GroupCommit:
    """Runs write jobs in batches, one transaction per batch, for callers on one event loop."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[Any]] | None,
                 max_batch: int = 256) -> None:
        self._transaction = transaction
        self._max_batch = max_batch
        self._pending: list[tuple[Job, asyncio.Future[Any]]] = []
        self._flushing = False
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="webhook-writer") if transaction else None

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()``'s result once the transaction it ran in has committed."""
        if self._writer is None:
            return await asyncio.to_thread(fn)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((fn, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch:]
                try:
                    results = await loop.run_in_executor(self._writer, self._commit, [fn for fn, _ in batch])
                except BaseException as exc:  # noqa: BLE001 - handed to every waiter of the batch
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._flushing = False

    def _commit(self, jobs: list[Job]) -> list[Any]:
        assert self._transaction is not None
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                with self._transaction() as conn:
                    _tune(conn)
                    return [job() for job in jobs]
            except StoreUnavailable:  # the write lock is busy (or the store failed): nothing was committed
                if time.monotonic() > deadline:
                    raise
                time.sleep(LOCK_POLL_SECONDS)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)


def _tune(conn: Any) -> None:
    """The writer's own SQLite connection polls for the write lock and leaves checkpoints to others.

    SQLite's busy handler sleeps 1, 2, 5, 10, 15... ms between tries: a lock the drainer holds for 4 ms
    costs a batch of acknowledgements 8 ms, one held for 20 ms costs 33. ``_commit`` polls every
    ``LOCK_POLL_SECONDS`` instead. A WAL checkpoint (and its fsync) runs in the connection whose commit
    crosses the WAL's size threshold; the drainer's connections, which commit all the time, take them.
    """
    if isinstance(conn, sqlite3.Connection) and getattr(_tuned, "conn", None) is not conn:
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        _tuned.conn = conn


_tuned = threading.local()  # per writer thread: the connection last tuned
_instances: dict[int, tuple[Stores, GroupCommit]] = {}
_instances_lock = threading.Lock()


def group_commit(stores: Stores) -> GroupCommit:
    """The process's ``GroupCommit`` over ``stores`` (one writer thread per database)."""
    with _instances_lock:
        found = _instances.get(id(stores))
        if found is None or found[0] is not stores:
            found = _instances[id(stores)] = (stores, GroupCommit(stores.transaction))
        return found[1]
