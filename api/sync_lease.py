"""Starting a sync run under the integration's single-flight lease (``Integration.active_run_id``).

One run per integration at a time, whoever starts it (the HTTP route, a dead-letter retry, the
scheduler). The lease is taken by setting ``active_run_id`` under an ETag compare-and-swap, then
the ``sync_integration`` orchestration is started with that run id as its instance id; the
orchestration's ``finish_run`` activity clears the lease.

A lease whose run is no longer alive (terminal, or never started because its starter crashed) is
taken over. "Alive" is the Durable status Running/Pending/ContinuedAsNew/Suspended, or, for a run
the task hub does not know yet, a run id younger than ``START_GRACE``: between the CAS and
``start_new`` a fresh lease has no instance, and must not be stolen.

Store calls run on a worker thread (``asyncio.to_thread``): the starters are ``async`` functions
on the worker's event loop, which a blocking Cosmos round-trip must not hold up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from activities.contracts import SyncRequest
from api.http import Conflict, ErrorCode, NotFound
from core.models import Integration, IntegrationState, RunMode, RunTrigger
from orchestrators.instances import LIVE
from stores.errors import RecordNotFound, StaleETag
from stores.integrations import IntegrationStore

SYNC_ORCHESTRATION = "sync_integration"
START_GRACE = timedelta(seconds=60)
_ATTEMPTS = 4
_STAMP = "%Y%m%d%H%M%S%f"
_MAX_ID = 128


class DurableClient(Protocol):
    """The part of ``df.DurableOrchestrationClient`` a sync start needs."""

    async def get_status(self, instance_id: str) -> Any: ...

    async def start_new(self, orchestration_function_name: str, instance_id: str | None = None,
                        client_input: Any | None = None) -> str: ...


class SyncAlreadyRunning(Conflict):
    """409 with the running run's ``id`` at the top level of the body (api.md)."""

    def __init__(self, run_id: str) -> None:
        super().__init__("a sync of this integration is already running", code=ErrorCode.SYNC_RUNNING,
                         extra={"id": run_id})
        self.run_id = run_id


class IntegrationInactive(Conflict):
    """409: a paused integration, or one waiting for new credentials, does not sync."""

    def __init__(self, state: IntegrationState) -> None:
        if state == IntegrationState.PAUSED:
            super().__init__("the integration is paused", code=ErrorCode.INTEGRATION_PAUSED)
        else:
            super().__init__("the integration needs new credentials (PUT .../credentials)",
                             code=ErrorCode.INTEGRATION_NEEDS_REAUTH)
        self.state = state


def new_run_id(tenant_id: str, integration_id: str, now: datetime) -> str:
    """``{tenant}.{integration}.{UTC yyyymmddHHMMSSffffff}-{4 hex}``: unique, readable, an ``Identifier``.

    Ids too long for 128 characters keep the integration id's start and a digest of both ids.
    """
    suffix = f"{now.astimezone(UTC).strftime(_STAMP)}-{uuid.uuid4().hex[:4]}"
    run_id = f"{tenant_id}.{integration_id}.{suffix}"
    if len(run_id) <= _MAX_ID:
        return run_id
    digest = hashlib.sha256(f"{tenant_id}/{integration_id}".encode()).hexdigest()[:16]
    return f"{integration_id[:_MAX_ID - len(suffix) - len(digest) - 2]}.{digest}.{suffix}"


def run_started_at(run_id: str) -> datetime | None:
    """When ``new_run_id`` made ``run_id``; None for ids of another shape."""
    stamp = run_id.rsplit(".", 1)[-1].split("-", 1)[0]
    try:
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


async def is_alive(client: DurableClient, run_id: str, now: datetime) -> bool:
    """Whether the run holding a lease is still running (or still being started)."""
    status = await client.get_status(run_id)
    if status:
        return status.runtime_status in LIVE
    started = run_started_at(run_id)
    return started is not None and now - started < START_GRACE


def _check_can_sync(found: Integration | None) -> Integration:
    if found is None:
        raise NotFound("no such integration")
    if found.state != IntegrationState.ACTIVE:
        raise IntegrationInactive(found.state)
    return found


async def _take_lease(client: DurableClient, integrations: IntegrationStore, tenant_id: str,
                      integration_id: str, now: datetime) -> tuple[str, str | None]:
    """The new run id and the integration's ETag after the lease was written."""
    for _ in range(_ATTEMPTS):
        current = _check_can_sync(await asyncio.to_thread(integrations.get, tenant_id, integration_id))
        holder = current.active_run_id
        if holder and await is_alive(client, holder, now):
            raise SyncAlreadyRunning(holder)
        run_id = new_run_id(tenant_id, integration_id, now)
        try:
            saved = await asyncio.to_thread(integrations.update, tenant_id, integration_id,
                                            {"active_run_id": run_id}, if_match=current.etag)
        except RecordNotFound:
            raise NotFound("no such integration") from None
        except StaleETag:
            # Someone wrote in between: if it was another starter, it holds the lease now.
            again = _check_can_sync(await asyncio.to_thread(integrations.get, tenant_id, integration_id))
            if again.active_run_id and again.active_run_id != holder:
                raise SyncAlreadyRunning(again.active_run_id) from None
            continue
        return run_id, saved.etag
    raise Conflict("the integration kept changing; try again")


def _release(integrations: IntegrationStore, tenant_id: str, integration_id: str, etag: str | None) -> None:
    # Changed since: a newer holder or a deletion; either way the lease is not ours to clear.
    with contextlib.suppress(StaleETag, RecordNotFound):
        integrations.update(tenant_id, integration_id, {"active_run_id": None}, if_match=etag)


async def start_sync(client: DurableClient, integrations: IntegrationStore, tenant_id: str,
                     integration_id: str, mode: RunMode = RunMode.INCREMENTAL,
                     trigger: RunTrigger = RunTrigger.HTTP, now: datetime | None = None) -> str:
    """Take the lease and start ``sync_integration``; returns the run id (= instance id).

    Raises ``NotFound``, ``IntegrationInactive`` or ``SyncAlreadyRunning`` (all ``ApiError``s).
    """
    now = now or datetime.now(UTC)
    run_id, etag = await _take_lease(client, integrations, tenant_id, integration_id, now)
    request = SyncRequest(tenant_id=tenant_id, integration_id=integration_id, run_id=run_id, mode=mode,
                          trigger=trigger)
    try:
        await client.start_new(SYNC_ORCHESTRATION, run_id, request.to_wire())
    except BaseException:
        # The SDK raises plain Exceptions; whatever failed, a run that never started must not hold the lease.
        # (Called inline: this path may be a cancellation, where awaiting again is not possible.)
        _release(integrations, tenant_id, integration_id, etag)
        raise
    return run_id
