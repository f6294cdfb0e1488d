"""Language worker processes: ``FUNCTIONS_WORKER_PROCESS_COUNT`` (1 to 10, default 1), as the Functions host.

The host process is the first worker: with a count N above 1 it starts N - 1 more worker processes, each
importing the app, and hands them every HTTP function and activity invocation (to the least busy one) over
a private socket, as the Functions host hands invocations to its workers over gRPC. Orchestrations and
entities are replayed in the host process (they are deterministic: where they run does not change what they
do). As in Azure, module-level state of the app is per process.

A worker that dies is replaced. Its invocations in flight fail with ``WorkerLost``: an HTTP call answers
500, an activity is invoked again in a worker (activities run at least once), as the Durable extension
redelivers an activity whose worker went away; one that takes down three workers fails.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .activity_calls import ActivityCall, Outcome, missing, run_activity
from .config import HostConfig, HostConfigError
from .discovery import ActivityFunction, HttpFunction, build_registry, load_app
from .history import install_sdk_timestamp_cache
from .triggers import HttpCall, Invoker, Reply, WorkerLost

log = logging.getLogger("devhost")
WORKER_COUNT_SETTING = "FUNCTIONS_WORKER_PROCESS_COUNT"
MAX_WORKERS = 10  # the Functions host's limit
WORKER_START_SECONDS = 60.0
LOST_WORKER_ATTEMPTS = 3  # lost workers an activity may take down before it fails
# In Azure the HTTP front end is the Functions host, another process; here it is this process's event
# loop, which gives up the GIL at every socket call and, at the default 5 ms switch interval, waits up to
# that long to get it back from a function or activity running Python on a worker thread (and they wait
# as long for the loop). Under load those waits, not CPU, set the acknowledgement latency.
GIL_SWITCH_INTERVAL_SECONDS = 0.0005


def quiet_noisy_loggers() -> None:
    """Per-request INFO lines of the HTTP libraries and the Azure SDK, in the host and every worker."""
    for noisy in ("aiohttp.access", "httpx", "azure.core.pipeline.policies.http_logging_policy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def worker_count(environ: dict[str, str] | os._Environ[str]) -> int:
    """``FUNCTIONS_WORKER_PROCESS_COUNT``: 1 (one process) unless set to 2..10."""
    raw = environ.get(WORKER_COUNT_SETTING, "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise HostConfigError(f"{WORKER_COUNT_SETTING} must be a whole number from 1 to {MAX_WORKERS}")
    return int(raw)


# Frames on a private socketpair: 4-byte length, then a pickle of (call id, call) or (call id, reply).
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

    def __init__(self, process: subprocess.Popen[bytes], reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.process, self.reader, self.writer = process, reader, writer
        self.in_flight: dict[int, asyncio.Future[Any]] = {}
        self.alive = True
        self._ids = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    def listen(self, on_lost: Any) -> None:
        self._pump = asyncio.create_task(self._replies(on_lost))

    async def invoke(self, call: HttpCall | ActivityCall) -> Any:
        call_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.in_flight[call_id] = future
        _send(self.writer, (call_id, call))
        try:
            return await future
        finally:
            self.in_flight.pop(call_id, None)

    async def _replies(self, on_lost: Any) -> None:
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
            on_lost(self)

    async def stop(self) -> None:
        self.alive = False
        self.writer.close()  # the worker stops at end of input
        if self._pump is not None:
            self._pump.cancel()
        try:
            await asyncio.to_thread(self.process.wait, 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)


class WorkerPool:
    """``count`` worker processes running the app's HTTP functions and activities; the least busy gets a call."""

    def __init__(self, config: HostConfig, binding: str, count: int, max_activities: int) -> None:
        self._config, self._binding, self._count = config, binding, count
        self._max_activities = max_activities
        self._workers: list[_Worker] = []
        self._stopping = False
        self._started = False
        self._respawns: set[asyncio.Task[None]] = set()

    @property
    def alive(self) -> bool:
        return any(w.alive for w in self._workers)

    async def start(self) -> None:
        for index in range(self._count):
            self._workers.append(await self._spawn(index))
        self._started = True
        log.info("%d worker process(es) run the HTTP functions and activities", self._count)

    async def _spawn(self, index: int) -> _Worker:
        ours, theirs = socket.socketpair()
        process = _start_process(theirs, str(self._config.app_root), self._config.route_prefix, self._binding,
                                 self._max_activities)
        theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        try:
            ready = await asyncio.wait_for(_receive(reader), WORKER_START_SECONDS)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            process.kill()
            await asyncio.to_thread(process.wait)
            raise HostConfigError(f"worker process {index + 1} did not start") from exc
        if ready != "ready":
            raise HostConfigError(f"worker process {index + 1} could not load the app: {ready}")
        worker = _Worker(process, reader, writer)
        worker.listen(self._lost)
        return worker

    def _lost(self, worker: _Worker) -> None:
        if self._stopping or worker not in self._workers:
            return
        asyncio.get_running_loop().run_in_executor(None, worker.process.wait)  # reaped once it has exited
        task = asyncio.get_running_loop().create_task(self._replace(self._workers.index(worker)))
        self._respawns.add(task)
        task.add_done_callback(self._respawns.discard)

    async def _replace(self, index: int) -> None:
        log.warning("replacing worker process %d", index + 1)
        try:
            self._workers[index] = await self._spawn(index)
        except HostConfigError:
            log.exception("worker process %d could not be replaced", index + 1)

    async def invoke(self, call: HttpCall | ActivityCall) -> Any:
        """The call's reply; ``WorkerLost`` when its worker died first (none alive: the caller runs it)."""
        worker = min((w for w in self._workers if w.alive), key=lambda w: len(w.in_flight))
        return await worker.invoke(call)

    async def activity(self, call: ActivityCall) -> Outcome:
        """An activity invocation in a worker process, invoked again while the worker running it is lost.

        Never in the host process: an activity that kills its worker (a poison one) would kill the host.
        After ``LOST_WORKER_ATTEMPTS`` lost workers the activity fails, and the orchestration's retry policy
        decides what happens next.
        """
        for _ in range(LOST_WORKER_ATTEMPTS):
            if not await self._any_alive():
                break
            try:
                outcome: Outcome = await self.invoke(call)
                return outcome
            except WorkerLost:
                log.warning("activity %s (%s): its worker process was lost", call.name, call.instance_id)
        return None, (f"Activity function '{call.name}' failed: its worker process was lost", "")

    async def _any_alive(self) -> bool:
        """Whether a worker is up, waiting for the pool or a replacement that is starting."""
        deadline = asyncio.get_running_loop().time() + WORKER_START_SECONDS
        while not self.alive:
            starting = not self._started or self._respawns
            if not starting or asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def stop(self) -> None:
        self._stopping = True
        for task in self._respawns:
            task.cancel()
        await asyncio.gather(*(w.stop() for w in self._workers))


def _start_process(channel: socket.socket, app_root: str, route_prefix: str, binding: str,
                   max_activities: int) -> subprocess.Popen[bytes]:
    """A fresh interpreter running ``worker_main`` on ``channel``, inherited as a file descriptor.

    A plain child process, not ``multiprocessing``'s: its spawn start method adds a resource tracker process
    (11 MB) that nothing here uses.
    """
    package_root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-c", "from devhost.workers import worker_entry; worker_entry()",
         str(channel.fileno()), app_root, route_prefix, binding, str(max_activities)],
        pass_fds=(channel.fileno(),), env={**os.environ, "PYTHONPATH": path},
    )


def worker_entry() -> None:
    """``python -c`` entry of a worker process: the arguments ``_start_process`` passed."""
    fd, app_root, route_prefix, binding, max_activities = sys.argv[1:6]
    worker_main(socket.socket(fileno=int(fd)), app_root, route_prefix, binding, int(max_activities))


def worker_main(channel: socket.socket, app_root: str, route_prefix: str, binding: str, max_activities: int) -> None:
    """A worker process: import the app, then run the invocations the host sends until it hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host stops its workers by closing the channel
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_noisy_loggers()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    install_sdk_timestamp_cache()
    try:
        registry = build_registry(load_app(Path(app_root)), route_prefix)
    except Exception as exc:  # noqa: BLE001 - reported to the host, which refuses to start
        with channel:
            channel.sendall(_frame(f"{type(exc).__name__}: {exc}"))
        return
    functions = {fn.name: fn for fn in registry.http}
    http_pool = ThreadPoolExecutor(16, thread_name_prefix="devhost-func")
    activity_pool = ThreadPoolExecutor(max_activities, thread_name_prefix="devhost-activity")
    calls = _Calls(functions, registry.activities, Invoker(binding, app_root, http_pool), activity_pool)
    gc.collect()  # as the host does once started: the loaded app stays out of every later collection
    gc.freeze()
    asyncio.run(_serve_calls(channel, calls))


class _Calls:
    """What a worker process can run: the app's HTTP functions and activities."""

    def __init__(self, functions: dict[str, HttpFunction], activities: dict[str, ActivityFunction],
                 invoker: Invoker, activity_pool: ThreadPoolExecutor) -> None:
        self.functions, self.activities = functions, activities
        self.invoker, self.activity_pool = invoker, activity_pool

    async def run(self, call: HttpCall | ActivityCall) -> Reply | Outcome:
        if isinstance(call, ActivityCall):
            activity = self.activities.get(call.name)
            return missing(call.name) if activity is None else await run_activity(activity, call, self.activity_pool)
        return await self.invoker.http(self.functions[call.function], call)


async def _serve_calls(channel: socket.socket, calls: _Calls) -> None:
    reader, writer = await asyncio.open_connection(sock=channel)
    _send(writer, "ready")
    running: set[asyncio.Task[None]] = set()

    async def run(call_id: int, call: HttpCall | ActivityCall) -> None:
        _send(writer, (call_id, await calls.run(call)))

    while True:
        try:
            call_id, call = await _receive(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            break  # the host is gone or stopping
        task = asyncio.create_task(run(call_id, call))
        running.add(task)
        task.add_done_callback(running.discard)
    writer.close()
