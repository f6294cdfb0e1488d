"""Composition of the local host: config, discovery, task hub, engine, HTTP front end, language workers.

This process is the host and the first language worker: it runs the HTTP front end, the task hub,
orchestrations, activities, entities and timers. ``FUNCTIONS_WORKER_PROCESS_COUNT`` above 1 adds worker
processes that take the HTTP function and activity invocations (``devhost.workers``).
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from .config import HostConfig
from .discovery import build_registry, load_app
from .dispatch import Dispatcher
from .engine import Core
from .history import install_sdk_timestamp_cache
from .management import ManagementApi
from .monitor import MONITOR_PATH, Monitor
from .store import Store
from .triggers import Triggers, key_ok
from .urls import RPC_PATH, WEBHOOK_PATH
from .workers import GIL_SWITCH_INTERVAL_SECONDS, WorkerPool, worker_count

log = logging.getLogger("devhost")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
        self.workers = (WorkerPool(config, self.triggers.invoker.binding, count - 1, config.max_activities)
                        if count > 1 else None)
        self.dispatcher.workers = self.workers
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
        if self.workers is not None:  # first: recovery hands the unfinished activities to them at once
            await self.workers.start()
        await self.dispatcher.start()
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self.triggers.start_timers()
        # The app, the SDKs and the host are loaded: a full collection would scan them every time (100 ms
        # and more under load, every request in flight waiting). Frozen, they are left out of collections.
        gc.collect()
        gc.freeze()

    async def stop(self) -> None:
        self.triggers.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.workers is not None:
            await self.workers.stop()
        await self.dispatcher.stop()
        self.function_pool.shutdown(wait=False, cancel_futures=True)
        self.store.close()


def _loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False
