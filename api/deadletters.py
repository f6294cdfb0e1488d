"""Dead letters (work that failed for good): list, retry, delete.

``POST .../deadletters/{id}/retry`` re-queues the work, then marks the dead letter ``retried``:

* a dead letter whose ``payload`` names an orchestration (``{"orchestration": name, "input": ...}``)
  starts that orchestration again with that input, under a new instance id;
* a failed sync page or mapping without one starts an incremental sync of its integration
  through the single-flight lease (the mapping's cursor was checkpointed, so the sync resumes
  where it stopped); 409 with the running ``id`` if a sync is already running;
* anything else has nothing to restart: 409 ``conflict`` and it stays ``pending``.

A started retry answers 202 with the Durable check-status payload.
"""

from __future__ import annotations

import asyncio

import azure.durable_functions as df
import azure.functions as func

from api.http import (
    Conflict,
    NotFound,
    api_errors,
    json_response,
    no_content,
    query_enum,
    query_int,
    route_id,
    tenant_id,
)
from api.sync_lease import start_sync
from core.models import DeadLetter, DeadLetterKind, DeadLetterStatus
from services import get_services

bp = df.Blueprint()

_SYNC_KINDS = frozenset({DeadLetterKind.SYNC_PAGE, DeadLetterKind.SYNC_MAPPING})


@bp.route(route="tenants/{tenantId}/deadletters", methods=["GET"])
@api_errors
def deadletters_list(req: func.HttpRequest) -> func.HttpResponse:
    """``{"items": [...]}``, most recent failure first; ``status`` (pending, retried) filters."""
    tenant = tenant_id(req)
    status = query_enum(req, "status", DeadLetterStatus)
    limit = query_int(req, "limit", 100, 1, 1000)
    items = get_services().stores.dead_letters.list(tenant, status, limit)
    return json_response({"items": [d.to_wire() for d in items]})


async def _restart(client: df.DurableOrchestrationClient, letter: DeadLetter) -> str:
    """Start the dead letter's work again; returns the new instance id."""
    orchestration = letter.payload.get("orchestration")
    if isinstance(orchestration, str) and orchestration:
        return str(await client.start_new(orchestration, None, letter.payload.get("input")))
    if letter.kind in _SYNC_KINDS and letter.integration_id:
        integrations = get_services().stores.integrations
        return await start_sync(client, integrations, letter.tenant_id, letter.integration_id)
    raise Conflict("this dead letter names no work to restart")


@bp.route(route="tenants/{tenantId}/deadletters/{deadLetterId}/retry", methods=["POST"])
@bp.durable_client_input(client_name="client")
@api_errors
async def deadletters_retry(req: func.HttpRequest, client: df.DurableOrchestrationClient
                            ) -> func.HttpResponse:
    """202 with the restarted work's check-status payload; the dead letter is then ``retried``."""
    tenant, letter_id = tenant_id(req), route_id(req, "deadLetterId")
    store = get_services().stores.dead_letters
    letter = await asyncio.to_thread(store.get, tenant, letter_id)
    if letter is None:
        raise NotFound("no such dead letter")
    instance_id = await _restart(client, letter)
    await asyncio.to_thread(store.add, letter.model_copy(update={"status": DeadLetterStatus.RETRIED}))
    return client.create_check_status_response(req, instance_id)


@bp.route(route="tenants/{tenantId}/deadletters/{deadLetterId}", methods=["DELETE"])
@api_errors
def deadletters_delete(req: func.HttpRequest) -> func.HttpResponse:
    if not get_services().stores.dead_letters.delete(tenant_id(req), route_id(req, "deadLetterId")):
        raise NotFound("no such dead letter")
    return no_content()
