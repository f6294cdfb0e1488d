"""Sync runs: `GET /api/tenants/{tenantId}/integrations/{integrationId}/runs` (newest first) and
`GET /api/tenants/{tenantId}/runs/{runId}` (with per-mapping progress). A run id is its
orchestration instance id, so the Durable status query and the run agree."""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func

from api.http import NotFound, api_errors, json_response, query_int, route_id, tenant_id
from services import get_services

bp = df.Blueprint()

MAX_RUNS = 200


@bp.route(route="tenants/{tenantId}/integrations/{integrationId}/runs", methods=["GET"])
@api_errors
def runs_list(req: func.HttpRequest) -> func.HttpResponse:
    """``{"items": [Run, ...]}``, newest first (``limit``: 1-200, default 50)."""
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    limit = query_int(req, "limit", 50, 1, MAX_RUNS)
    stores = get_services().stores
    if stores.integrations.get(tenant, integration_id) is None:
        raise NotFound("no such integration")
    runs = stores.runs.list_for_integration(tenant, integration_id, limit)
    return json_response({"items": [r.to_wire() for r in runs]})


@bp.route(route="tenants/{tenantId}/runs/{runId}", methods=["GET"])
@api_errors
def runs_get(req: func.HttpRequest) -> func.HttpResponse:
    run = get_services().stores.runs.get(tenant_id(req), route_id(req, "runId"))
    if run is None:
        raise NotFound("no such run")
    return json_response(run.to_wire())
