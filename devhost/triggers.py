"""HTTP and timer triggers, invoked as the Python worker invokes them: keyword arguments by binding name,
the durable client binding as JSON text, `async` functions on the host's single event loop and plain ones on
a thread pool.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import inspect
import json
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import azure.functions as func
from aiohttp import web
from azure.functions.timer import TimerRequest
from croniter import croniter

from .discovery import HttpFunction, TimerFunction
from .history import fmt, parse
from .urls import client_binding

if TYPE_CHECKING:
    from .server import Host


class WorkerLost(Exception):
    """The worker process running an invocation stopped before answering."""

log = logging.getLogger("devhost")


class InvocationContext(func.Context):
    """The `context` argument a function may declare (invocation id, function name, ...)."""

    def __init__(self, name: str, directory: str) -> None:
        self._id = str(uuid.uuid4())
        self._name = name
        self._directory = directory

    @property
    def invocation_id(self) -> str:
        return self._id

    @property
    def thread_local_storage(self) -> Any:
        return threading.local()

    @property
    def function_name(self) -> str:
        return self._name

    @property
    def function_directory(self) -> str:
        return self._directory

    @property
    def trace_context(self) -> Any:
        return None

    @property
    def retry_context(self) -> Any:
        return None


def key_ok(request: web.Request, key: str | None) -> bool:
    if not key:
        return True
    given = request.headers.get("x-functions-key") or request.query.get("code") or ""
    return hmac.compare_digest(given.encode(), key.encode())


@dataclass(frozen=True, slots=True)
class HttpCall:
    """One HTTP invocation as the host hands it to a language worker: the function and the request."""

    function: str
    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, str]
    route_params: dict[str, str]
    body: bytes

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a plain tuple: the generic dataclass path is slow
        return HttpCall, (self.function, self.method, self.url, self.headers, self.params, self.route_params,
                          self.body)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the function answered, as the host writes it (``content_type`` only when no header sets it)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    charset: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return Reply, (self.status, self.headers, self.body, self.content_type, self.charset)

    def response(self) -> web.Response:
        if self.content_type is None:
            return web.Response(status=self.status, body=self.body, headers=self.headers)
        return web.Response(status=self.status, body=self.body, headers=self.headers,
                            content_type=self.content_type, charset=self.charset)


_FAILED = Reply(500, body=json.dumps({"error": {"code": "internal_error", "message": "The function failed"}}).encode(),
                content_type="application/json", charset="utf-8")


class Invoker:
    """Calls the app's functions as the Python worker does, in whichever process runs them."""

    def __init__(self, binding: str, app_root: str, pool: ThreadPoolExecutor) -> None:
        # The binding's JSON depends only on the host's configuration: built once, not per invocation.
        self.binding, self.app_root, self.pool = binding, app_root, pool

    def kwargs(self, fn: HttpFunction | TimerFunction, trigger_value: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {fn.trigger_param: trigger_value}
        for name in fn.client_params:
            kwargs[name] = self.binding
        if fn.wants_context:
            kwargs["context"] = InvocationContext(fn.name, self.app_root)
        return kwargs

    async def call(self, fn: HttpFunction | TimerFunction, kwargs: dict[str, Any]) -> Any:
        if fn.is_async:
            return await fn.fn(**kwargs)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self.pool, functools.partial(fn.fn, **kwargs))
        return await result if inspect.isawaitable(result) else result

    async def http(self, fn: HttpFunction, call: HttpCall) -> Reply:
        req = func.HttpRequest(method=call.method, url=call.url, headers=call.headers, params=call.params,
                               route_params=call.route_params, body=call.body)
        try:
            result = await self.call(fn, self.kwargs(fn, req))
        except Exception:
            log.exception("function %s failed", fn.name)
            return _FAILED
        return reply_of(result)


class Triggers:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.routes = sorted(host.registry.http, key=lambda f: -f.route.literal_segments)
        self._tasks: list[asyncio.Task[Any]] = []
        config = host.config
        self.invoker = Invoker(client_binding(config.base_url, config.hub_name, config.function_key),
                               str(config.app_root), host.function_pool)

    # HTTP -------------------------------------------------------------------------------------------
    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        matched_path = False
        for fn in self.routes:
            params = fn.route.match(path)
            if params is None:
                continue
            matched_path = True
            if fn.methods is not None and request.method.upper() not in fn.methods:
                continue
            if fn.auth_level != "ANONYMOUS" and not key_ok(request, self.host.config.function_key):
                return web.Response(status=401)
            return await self._invoke_http(fn, request, params)
        return web.Response(status=405 if matched_path else 404)

    async def _invoke_http(self, fn: HttpFunction, request: web.Request, params: dict[str, str]) -> web.Response:
        # Plain ``str`` names: aiohttp's ``istr`` keys are slow to pickle for a worker process.
        headers = {str(name): value for name, value in request.headers.items()}
        call = HttpCall(fn.name, request.method, str(request.url), headers, dict(request.query), params,
                        await request.read())
        workers = self.host.workers
        if workers is not None and workers.alive:
            try:
                return (await workers.invoke(call)).response()
            except WorkerLost:
                log.error("the worker running %s stopped during the invocation", fn.name)
                return _FAILED.response()
        return (await self.invoker.http(fn, call)).response()

    # timers -----------------------------------------------------------------------------------------
    def start_timers(self) -> None:
        for fn in self.host.registry.timers:
            task = asyncio.create_task(self._timer_loop(fn))
            task.add_done_callback(_log_crash)
            self._tasks.append(task)

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()

    async def _timer_loop(self, fn: TimerFunction) -> None:
        store = self.host.core.store
        last, stored_next = await self.host.dispatcher.call(store.get_schedule, fn.name)
        now = datetime.now(UTC)
        past_due = bool(fn.use_monitor and stored_next and parse(stored_next) < now)
        if fn.run_on_startup or past_due:
            await self._fire(fn, past_due, last)
        it = croniter(fn.schedule, datetime.now(UTC), second_at_beginning=True)
        while True:
            nxt = it.get_next(datetime)
            await self.host.dispatcher.call(store.put_schedule, fn.name, last, fmt(nxt))
            await asyncio.sleep(max(0.0, (nxt - datetime.now(UTC)).total_seconds()))
            last = fmt(nxt)
            await self._fire(fn, False, last)

    async def _fire(self, fn: TimerFunction, past_due: bool, last: str | None) -> None:
        request = TimerRequest(
            past_due=past_due,
            schedule_status={"Last": last, "Next": None, "LastUpdated": fmt(datetime.now(UTC))},
            schedule={"AdjustForDST": True},
        )
        try:
            await self.invoker.call(fn, self.invoker.kwargs(fn, request))
        except Exception:
            log.exception("timer function %s failed", fn.name)


def _log_crash(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("timer loop stopped", exc_info=task.exception())


def reply_of(result: Any) -> Reply:
    """The function's return value as the host answers it."""
    if result is None:
        return Reply(204)
    if isinstance(result, func.HttpResponse):
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-length"}
        if result.mimetype and "content-type" not in {k.lower() for k in headers}:
            ctype = result.mimetype + (f"; charset={result.charset}" if result.charset else "")
            headers["Content-Type"] = ctype
        return Reply(result.status_code, headers, result.get_body())
    if isinstance(result, (bytes, str)):
        return Reply(200, body=result if isinstance(result, bytes) else result.encode(), content_type="text/plain")
    return Reply(200, body=json.dumps(result).encode(), content_type="application/json", charset="utf-8")
