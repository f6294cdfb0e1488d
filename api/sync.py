"""`POST /api/tenants/{tenantId}/integrations/{integrationId}/sync`: start a sync run now.

Body ``{"mode": "incremental" | "full"}`` (default incremental; an empty body is fine). Answers 202
with the Durable check-status payload (its ``id`` is the run id), 409 with the running run's
``id`` when one is in flight, 409 for a paused or ``needs_reauth`` integration, 404 if unknown.
The single-flight lease is ``api.sync_lease``.
"""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func

from api.http import api_errors, read_json, require_object, route_id, tenant_id, validate
from api.sync_lease import start_sync
from core.models import CamelModel, RunMode, RunTrigger
from services import get_services

bp = df.Blueprint()


class SyncBody(CamelModel):
    mode: RunMode = RunMode.INCREMENTAL


@bp.route(route="tenants/{tenantId}/integrations/{integrationId}/sync", methods=["POST"])
@bp.durable_client_input(client_name="client")
@api_errors
async def sync_start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """202 with the check-status payload of the new run (see the module docstring for the 409s)."""
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    body = validate(SyncBody, require_object(read_json(req, default={})))
    run_id = await start_sync(client, get_services().stores.integrations, tenant, integration_id, body.mode,
                              RunTrigger.HTTP)
    return client.create_check_status_response(req, run_id)
