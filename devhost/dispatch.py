"""The asyncio side of the engine: runs activities, fires durable timers, drives the core thread.

All task-hub changes go through `Core` on a single core thread; this module batches what happened
(activity results, fired timers, new events) and hands it over in one `Core.step` at a time, then starts the
work the step produced. Activities run concurrently up to host.json's `maxConcurrentActivityFunctions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp

from .activity_calls import ActivityCall, missing, run_activity
from .engine import Core, Effects
from .history import parse, utcnow
from .workers import WorkerPool

log = logging.getLogger("devhost")
T = TypeVar("T")


class Dispatcher:
    """Owns the core thread, the activity pool and the timer heap."""

    def __init__(self, core: Core, max_activities: int) -> None:
        self.core = core
        self._core_thread = ThreadPoolExecutor(1, thread_name_prefix="devhost-core")
        self.activity_pool = ThreadPoolExecutor(max_activities, thread_name_prefix="devhost-activity")
        self._slots = asyncio.Semaphore(max_activities)
        self._wake = asyncio.Event()
        self._timer_wake = asyncio.Event()
        self._completions: list[tuple[int, str | None, tuple[str, str] | None]] = []
        self._fired: list[int] = []
        self._ready_instances: set[str] = set()
        self._ready_entities: set[str] = set()
        self._timers: list[tuple[Any, int]] = []
        self._running: set[int] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self._http: aiohttp.ClientSession | None = None
        self._loop_task: asyncio.Task[Any] | None = None
        self._timer_task: asyncio.Task[Any] | None = None
        self.workers: WorkerPool | None = None  # language worker processes, when the host has them

    # lifecycle --------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.call(self.core.recover)
        self._loop_task = asyncio.create_task(self._drive())
        self._timer_task = asyncio.create_task(self._run_timers())

    async def stop(self) -> None:
        for task in (self._loop_task, self._timer_task, *self._background):
            if task is not None:
                task.cancel()
        if self._http is not None:
            await self._http.close()
        self.activity_pool.shutdown(wait=False, cancel_futures=True)
        self._core_thread.shutdown(wait=True)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn` on the core thread, then start whatever work it produced."""
        def job() -> tuple[T, Effects]:
            return fn(*args), self.core.take_effects()

        result, effects = await asyncio.get_running_loop().run_in_executor(self._core_thread, job)
        self._apply(effects)
        return result

    def notify(self) -> None:
        self._wake.set()

    # the drive loop ---------------------------------------------------------------------------------
    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch = (self._completions, self._fired, self._ready_instances, self._ready_entities)
            self._completions, self._fired, self._ready_instances, self._ready_entities = [], [], set(), set()
            try:
                effects = await loop.run_in_executor(self._core_thread, functools.partial(self.core.step, *batch))
            except Exception:  # the engine must keep going; the failing step is logged with its traceback
                log.exception("devhost engine step failed")
                continue
            self._apply(effects)

    def _apply(self, effects: Effects) -> None:
        for task in effects.tasks:
            if task["id"] not in self._running:
                self._running.add(task["id"])
                self._spawn(self._run_task(task))
        for row_id, fire_at in effects.timers:
            heapq.heappush(self._timers, (parse(fire_at), row_id))
            self._timer_wake.set()
        if effects.instances or effects.entities:
            self._ready_instances |= effects.instances
            self._ready_entities |= effects.entities
            self._wake.set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # activities -------------------------------------------------------------------------------------
    async def _run_task(self, task: dict[str, Any]) -> None:
        async with self._slots:
            if task["kind"] == "http":
                result, failure = await self._call_http(task)
            else:
                result, failure = await self._run_activity(task)
        self._running.discard(task["id"])
        self._completions.append((task["id"], result, failure))
        self._wake.set()

    async def _run_activity(self, task: dict[str, Any]) -> tuple[str | None, tuple[str, str] | None]:
        call = ActivityCall(task["name"], task["input"], task["instance_id"])
        if self.workers is not None:
            return await self.workers.activity(call)
        activity = self.core.registry.activities.get(call.name)
        if activity is None:
            return missing(call.name)
        return await run_activity(activity, call, self.activity_pool)

    async def _call_http(self, task: dict[str, Any]) -> tuple[str | None, tuple[str, str] | None]:
        """The built-in HTTP activity behind `context.call_http`, polling 202 + Location like the extension."""
        request = json.loads(task["input"] or "{}")
        if self._http is None:
            self._http = aiohttp.ClientSession()
        method, url = request.get("method", "GET"), request.get("uri")
        headers = request.get("headers") or {}
        try:
            for _ in range(120):
                async with self._http.request(method, url, data=request.get("content"), headers=headers) as resp:
                    body = await resp.text()
                    location = resp.headers.get("Location")
                    if resp.status != 202 or not location:
                        result = {"statusCode": resp.status, "headers": dict(resp.headers), "content": body}
                        return json.dumps(result), None
                retry_after = float(resp.headers.get("Retry-After", "1") or 1)
                await asyncio.sleep(min(retry_after, 5.0))
                method, url = "GET", location
            return None, ("HTTP polling gave up after 120 attempts", url or "")
        except aiohttp.ClientError as exc:
            return None, (f"HTTP request to {url} failed: {exc}", "")

    # durable timers ---------------------------------------------------------------------------------
    async def _run_timers(self) -> None:
        while True:
            self._timer_wake.clear()
            if not self._timers:
                await self._timer_wake.wait()
                continue
            delay = (self._timers[0][0] - utcnow()).total_seconds()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._timer_wake.wait(), timeout=min(delay, 60.0))
                continue
            now = utcnow()
            while self._timers and self._timers[0][0] <= now:
                self._fired.append(heapq.heappop(self._timers)[1])
            self._wake.set()
