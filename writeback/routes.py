"""Starting the drainers, and the outbox as the operations see it.

- ``POST /api/tenants/{tenantId}/integrations/{integrationId}/writeback``: drain now. 202 with the
  check-status payload of the integration's drainer (the running one when it already runs: a second
  trigger joins it). 404 for an unknown integration.
- ``GET /api/tenants/{tenantId}/integrations/{integrationId}/outbox``: ``{"items": [entry, ...]}`` in
  push order, with each entry's status, attempts, ``notBefore`` and ``reason`` (why it waits or died).
- The sweeper (a timer, every five seconds) starts the drainer of every integration with due entries
  that is not running. It is what picks up local writes: the write path itself holds no durable client.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import azure.durable_functions as df
import azure.functions as func

from api.http import NotFound, api_errors, json_response, query_int, route_id, tenant_id
from orchestrators.instances import is_running
from orchestrators.writeback import WRITEBACK_ORCHESTRATION, writeback_instance_id
from services import get_services
from writeback.contracts import DrainState
from writeback.runtime import outbox_for, writeback_settings

log = logging.getLogger("castiel.writeback")
bp = df.Blueprint()

SWEEP_SCHEDULE = "*/5 * * * * *"


async def ensure_drainer(client: df.DurableOrchestrationClient, tenant: str, integration_id: str) -> tuple[str, bool]:
    """Start the integration's drainer unless it runs; (instance id, whether this call started it)."""
    instance_id = writeback_instance_id(tenant, integration_id)
    if await is_running(client, instance_id):
        return instance_id, False
    state = DrainState(tenant_id=tenant, integration_id=integration_id)
    try:
        await client.start_new(WRITEBACK_ORCHESTRATION, instance_id, state.to_wire())
    except Exception:  # noqa: BLE001 - the SDK reports "already exists" as a plain Exception
        if await is_running(client, instance_id):
            return instance_id, False
        raise
    return instance_id, True


@bp.route(route="tenants/{tenantId}/integrations/{integrationId}/writeback", methods=["POST"])
@bp.durable_client_input(client_name="client")
@api_errors
async def writeback_start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    integrations = get_services().stores.integrations
    if await asyncio.to_thread(integrations.get, tenant, integration_id) is None:
        raise NotFound("no such integration")
    instance_id, _ = await ensure_drainer(client, tenant, integration_id)
    return client.create_check_status_response(req, instance_id)


@bp.route(route="tenants/{tenantId}/integrations/{integrationId}/outbox", methods=["GET"])
@api_errors
def writeback_outbox(req: func.HttpRequest) -> func.HttpResponse:
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    limit = query_int(req, "limit", 100, 1, 1000)
    entries = outbox_for(get_services().stores.shards).entries(tenant, integration_id, limit)
    return json_response({"items": [e.to_wire() for e in entries]})


@bp.timer_trigger(schedule=SWEEP_SCHEDULE, arg_name="timer", run_on_startup=True, use_monitor=False)
@bp.durable_client_input(client_name="client")
async def writeback_sweeper(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    if not writeback_settings().sweep_enabled:
        return
    outbox = outbox_for(get_services().stores.shards)
    for tenant, integration_id in await asyncio.to_thread(outbox.integrations_with_work, datetime.now(UTC)):
        _, started = await ensure_drainer(client, tenant, integration_id)
        if started:
            log.info("write-back drainer started tenant=%s integration=%s", tenant, integration_id)
