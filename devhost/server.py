"""Composition of the local host: config, discovery, task hub, engine, HTTP front end, language workers.

``FUNCTIONS_WORKER_PROCESS_COUNT`` (the Functions host's setting, 1 to 10, default 1) is the number of
language worker processes. This process is the host and the first worker: it runs the HTTP front end,
the task hub, orchestrations, activities, entities and timers. With a count N above 1 it starts N - 1
more worker processes, each importing the app, and hands every HTTP function invocation to one of
them (the least busy) over a private socket, as the host hands invocations to workers over gRPC. As in
Azure, module-level state of the app is per process.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from aiohttp import web

from .config import HostConfig, HostConfigError
from .discovery import HttpFunction, build_registry, load_app
from .dispatch import Dispatcher
from .engine import Core
from .history import install_sdk_timestamp_cache
from .management import ManagementApi
from .monitor import MONITOR_PATH, Monitor
from .store import Store
from .triggers import HttpCall, Invoker, Reply, Triggers, WorkerLost, key_ok
from .urls import RPC_PATH, WEBHOOK_PATH

log = logging.getLogger("devhost")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# In Azure the HTTP front end is the Functions host, another process; here it is this process's event
# loop, which gives up the GIL at every socket call and, at the default 5 ms switch interval, waits up to
# that long to get it back from a function or activity running Python on a worker thread (and they wait
# as long for the loop). Under load those waits, not CPU, set the acknowledgement latency.
GIL_SWITCH_INTERVAL_SECONDS = 0.0005
WORKER_COUNT_SETTING = "FUNCTIONS_WORKER_PROCESS_COUNT"
MAX_WORKERS = 10  # the Functions host's limit
WORKER_START_SECONDS = 60.0


class Host:
    """One devhost process: the app's functions, the SQLite task hub, and the HTTP server."""

    def __init__(self, config: HostConfig) -> None:
        self.config = config
        install_sdk_timestamp_cache()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
        self.registry = build_registry(load_app(config.app_root), config.route_prefix)
        self.store = Store(config.data_dir / "taskhub.sqlite")
        self.core = Core(self.store, self.registry, config.full_replay)
        self.dispatcher = Dispatcher(self.core, config.max_activities)
        self.function_pool = ThreadPoolExecutor(16, thread_name_prefix="devhost-func")
        self.triggers = Triggers(self)
        count = worker_count(os.environ)
        self.workers = WorkerPool(config, self.triggers.invoker.binding, count - 1) if count > 1 else None
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=100 * 1024 * 1024)
        api = ManagementApi(self)
        api.add_routes(app, WEBHOOK_PATH)
        api.add_routes(app, RPC_PATH)
        Monitor(self).add_routes(app)
        app.router.add_route("*", "/{tail:.*}", self.triggers.handle_http)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # The management API needs the key (the system key in Azure); the RPC base is for in-process
        # clients and, like the extension's local RPC endpoint, answers loopback callers only.
        protected = request.path.startswith((WEBHOOK_PATH + "/", MONITOR_PATH))
        if protected and not key_ok(request, self.config.function_key):
            return web.Response(status=401)
        if request.path.startswith(RPC_PATH + "/") and not _loopback(request.remote):
            return web.Response(status=403)
        return await handler(request)

    async def start(self) -> None:
        await self.dispatcher.start()
        if self.workers is not None:
            await self.workers.start()
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self.triggers.start_timers()

    async def stop(self) -> None:
        self.triggers.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.workers is not None:
            await self.workers.stop()
        await self.dispatcher.stop()
        self.function_pool.shutdown(wait=False, cancel_futures=True)
        self.store.close()


def worker_count(environ: dict[str, str] | os._Environ[str]) -> int:
    """``FUNCTIONS_WORKER_PROCESS_COUNT``: 1 (one process) unless set to 2..10."""
    raw = environ.get(WORKER_COUNT_SETTING, "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise HostConfigError(f"{WORKER_COUNT_SETTING} must be a whole number from 1 to {MAX_WORKERS}")
    return int(raw)


def _loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


# Language worker processes -------------------------------------------------------------------------
# Frames on a private socketpair: 4-byte length, then a pickle of (call id, HttpCall) or (call id, Reply).

_HEADER = struct.Struct("!I")


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _send(writer: asyncio.StreamWriter, message: Any) -> None:
    writer.write(_frame(message))


async def _receive(reader: asyncio.StreamReader) -> Any:
    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return pickle.loads(await reader.readexactly(size))  # noqa: S301 - our own child, on a socketpair


class _Worker:
    """The host's end of one worker process: calls in flight, matched to replies by id."""

    def __init__(self, process: BaseProcess, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.process, self.reader, self.writer = process, reader, writer
        self.in_flight: dict[int, asyncio.Future[Reply]] = {}
        self.alive = True
        self._ids = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    def listen(self) -> None:
        self._pump = asyncio.create_task(self._replies())

    async def invoke(self, call: HttpCall) -> Reply:
        call_id = next(self._ids)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.in_flight[call_id] = future
        _send(self.writer, (call_id, call))
        try:
            return await future
        finally:
            self.in_flight.pop(call_id, None)

    async def _replies(self) -> None:
        try:
            while True:
                call_id, reply = await _receive(self.reader)
                future = self.in_flight.get(call_id)
                if future is not None and not future.done():
                    future.set_result(reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.alive = False
            if self.in_flight:
                log.error("worker process %s stopped with %d invocation(s) in flight",
                          self.process.pid, len(self.in_flight))
            for future in self.in_flight.values():
                if not future.done():
                    future.set_exception(WorkerLost())

    async def stop(self) -> None:
        self.writer.close()  # the worker stops at end of input
        if self._pump is not None:
            self._pump.cancel()
        await asyncio.to_thread(self.process.join, 5)
        if self.process.is_alive():
            self.process.kill()


class WorkerPool:
    """``count`` worker processes that run the app's HTTP functions; calls go to the least busy one."""

    def __init__(self, config: HostConfig, binding: str, count: int) -> None:
        self._config, self._binding, self._count = config, binding, count
        self._workers: list[_Worker] = []

    @property
    def alive(self) -> bool:
        return any(w.alive for w in self._workers)

    async def start(self) -> None:
        spawn = multiprocessing.get_context("spawn")  # a fresh interpreter, like a new worker process
        for index in range(self._count):
            ours, theirs = socket.socketpair()
            process = spawn.Process(target=worker_main, name=f"devhost-worker-{index + 1}", daemon=True,
                                    args=(theirs, str(self._config.app_root), self._config.route_prefix,
                                          self._binding))
            process.start()
            theirs.close()
            reader, writer = await asyncio.open_connection(sock=ours)
            try:
                ready = await asyncio.wait_for(_receive(reader), WORKER_START_SECONDS)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
                process.kill()
                raise HostConfigError(f"worker process {index + 1} did not start") from exc
            if ready != "ready":
                raise HostConfigError(f"worker process {index + 1} could not load the app: {ready}")
            worker = _Worker(process, reader, writer)
            worker.listen()
            self._workers.append(worker)
        log.info("%d worker process(es) run the HTTP functions", self._count)

    async def invoke(self, call: HttpCall) -> Reply:
        worker = min((w for w in self._workers if w.alive), key=lambda w: len(w.in_flight))
        return await worker.invoke(call)

    async def stop(self) -> None:
        await asyncio.gather(*(w.stop() for w in self._workers))


def worker_main(channel: socket.socket, app_root: str, route_prefix: str, binding: str) -> None:
    """A worker process: import the app, then run the HTTP invocations the host sends until it hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host stops its workers by closing the channel
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    install_sdk_timestamp_cache()
    try:
        registry = build_registry(load_app(Path(app_root)), route_prefix)
    except Exception as exc:  # noqa: BLE001 - reported to the host, which refuses to start
        with channel:
            channel.sendall(_frame(f"{type(exc).__name__}: {exc}"))
        return
    functions = {fn.name: fn for fn in registry.http}
    pool = ThreadPoolExecutor(16, thread_name_prefix="devhost-func")
    asyncio.run(_serve_calls(channel, functions, Invoker(binding, app_root, pool)))


async def _serve_calls(channel: socket.socket, functions: dict[str, HttpFunction], invoker: Invoker) -> None:
    reader, writer = await asyncio.open_connection(sock=channel)
    _send(writer, "ready")
    running: set[asyncio.Task[None]] = set()

    async def run(call_id: int, call: HttpCall) -> None:
        reply = await invoker.http(functions[call.function], call)
        _send(writer, (call_id, reply))

    while True:
        try:
            call_id, call = await _receive(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            break  # the host is gone or stopping
        task = asyncio.create_task(run(call_id, call))
        running.add(task)
        task.add_done_callback(running.discard)
    writer.close()

