"""Keeps webhook drainers running: started by the route when events arrive, and by a sweep timer.

``DrainerStarter.ensure`` starts an integration's ``webhook_events`` orchestration under its fixed id
unless it runs. A drainer seen running moments ago is trusted for ``memo_seconds`` so that a burst
costs one status read, not one per delivery. The task hub refuses a second ``start_new`` for a
running id, and the loser re-reads the status. Concurrent deliveries that find the memo stale join
the one check already in flight for that drainer instead of each reading the status (at a thousand
deliveries a second a stale memo otherwise sends dozens of status reads at once). The one gap this
leaves (an event persisted just as a drainer decided to stop, while the route trusted the memo) is
closed by the sweep: every ``SWEEP_SCHEDULE`` it starts the drainer of any integration with pending
events. The sweep also purges processed inbox events older than ``INBOX_RETENTION``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from activities.webhook_contracts import DrainState
from api.sync_lease import DurableClient
from core.settings import Settings
from orchestrators.instances import is_running
from orchestrators.webhook_events import WEBHOOK_ORCHESTRATION, drainer_instance_id
from services import get_services

log = logging.getLogger("castiel.webhooks")
bp = df.Blueprint()

SWEEP_SCHEDULE = "*/20 * * * * *"
DEFAULT_MEMO_SECONDS = 0.5
# Processed events are kept this long for deduplication: past it, a redelivery would be taken as new.
# The reference's longest retry schedule is Shopify's (19 retries over 48 h; Graph 4 h, Zoom under 2 h).
INBOX_RETENTION = timedelta(days=7)
PURGE_BATCH = 500
PURGE_MAX_PER_SWEEP = 10_000


class DrainerStarter:
    """Start-if-idle for drainers, with a short per-process memory of drainers seen running."""

    def __init__(self, memo_seconds: float = DEFAULT_MEMO_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._memo, self._clock = memo_seconds, clock
        self._seen: dict[str, float] = {}
        self._checks: dict[str, asyncio.Future[bool]] = {}

    async def ensure(self, client: DurableClient, tenant_id: str, integration_id: str, *,
                     trust_memo: bool = True, settings: Settings | None = None) -> bool:
        """True when this call started the drainer (paced and paged by ``settings`` when given)."""
        instance_id = drainer_instance_id(tenant_id, integration_id)
        now = self._clock()
        if trust_memo and now - self._seen.get(instance_id, float("-inf")) < self._memo:
            return False
        running = self._checks.get(instance_id)
        if trust_memo and running is not None and running.get_loop() is asyncio.get_running_loop():
            await asyncio.shield(running)  # that check's outcome (or its failure) is ours too
            return False
        check = asyncio.ensure_future(self._check_and_start(client, tenant_id, integration_id, settings))
        self._checks[instance_id] = check
        try:
            return await asyncio.shield(check)
        finally:
            if self._checks.get(instance_id) is check:
                del self._checks[instance_id]

    async def _check_and_start(self, client: DurableClient, tenant_id: str, integration_id: str,
                               settings: Settings | None) -> bool:
        instance_id = drainer_instance_id(tenant_id, integration_id)
        if await is_running(client, instance_id):
            self._seen[instance_id] = self._clock()
            return False
        state = DrainState(tenant_id=tenant_id, integration_id=integration_id)
        if settings is not None:
            state = state.model_copy(update={
                "page_size": settings.webhook_drain_page_size,
                "max_events_per_second": settings.webhook_drain_events_per_second,
                "idle_wait_seconds": settings.webhook_drain_idle_seconds})
        try:
            await client.start_new(WEBHOOK_ORCHESTRATION, instance_id, state.to_wire())
        except Exception:  # noqa: BLE001 - the SDK reports "already exists" (409) as a plain Exception
            if not await is_running(client, instance_id):
                raise
            self._seen[instance_id] = self._clock()
            return False
        self._seen[instance_id] = self._clock()
        log.info("started webhook drainer instance=%s", instance_id)
        return True


STARTER = DrainerStarter()
"""The process's starter (the route and the sweep share its memory)."""


def _with_pending() -> set[tuple[str, str]]:
    stores = get_services().stores
    found: set[tuple[str, str]] = set()
    for registration in stores.webhook_registrations.list_all():
        key = (registration.tenant_id, registration.integration_id)
        if key not in found and stores.webhooks.list_pending(registration.tenant_id,
                                                              registration.registration_id, limit=1):
            found.add(key)
    return found


async def sweep(client: DurableClient, starter: DrainerStarter = STARTER) -> list[str]:
    """Start the drainer of every integration with pending events; the instance ids started."""
    started = []
    settings = get_services().settings
    for tenant_id, integration_id in sorted(await asyncio.to_thread(_with_pending)):
        if await starter.ensure(client, tenant_id, integration_id, trust_memo=False, settings=settings):
            started.append(drainer_instance_id(tenant_id, integration_id))
    return started


def purge_inbox(now: datetime, retention: timedelta = INBOX_RETENTION) -> int:
    """Delete processed inbox events received more than ``retention`` ago, a short transaction per batch
    (the receiver's commits never wait long behind one), at most ``PURGE_MAX_PER_SWEEP`` per tenant."""
    stores = get_services().stores
    transaction = stores.transaction or contextlib.nullcontext
    purged = 0
    for tenant_id in sorted({r.tenant_id for r in stores.webhook_registrations.list_all()}):
        for _ in range(PURGE_MAX_PER_SWEEP // PURGE_BATCH):
            with transaction():
                deleted = stores.webhooks.purge_processed(tenant_id, now - retention, PURGE_BATCH)
            purged += deleted
            if deleted < PURGE_BATCH:
                break
    return purged


@bp.timer_trigger(schedule=SWEEP_SCHEDULE, arg_name="timer", run_on_startup=True, use_monitor=False)
@bp.durable_client_input(client_name="client")
async def webhook_drainer_sweep(timer: func.TimerRequest, client: Any) -> None:
    started = await sweep(client)
    if started:
        log.info("webhook sweep started %d drainer(s)", len(started))
    purged = await asyncio.to_thread(purge_inbox, datetime.now(UTC))
    if purged:
        log.info("webhook sweep purged %d processed inbox event(s)", purged)
