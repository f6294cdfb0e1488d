"""Integrations: `PUT/GET/DELETE /api/tenants/{tenantId}/integrations/{integrationId}` and the list.

The client owns the configuration; the server owns the state (``state``, ``lastSyncAt``,
``nextSyncAt``, the sync lease ``activeRunId``...). Values a client sends for server fields are
dropped before validation, so a GET body can be edited and PUT back as is.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func
from pydantic.alias_generators import to_camel

from api.conditional import write_current
from api.credentials import credential_service
from api.http import (
    NotFound,
    api_errors,
    etag_headers,
    json_response,
    no_content,
    read_json,
    require_object,
    route_id,
    tenant_id,
    validate,
)
from api.sync_lease import is_alive
from core.models import Integration
from core.models.integration import SERVER_FIELDS
from core.schedules import next_sync_at
from services import get_services

bp = df.Blueprint()

ROUTE = "tenants/{tenantId}/integrations/{integrationId}"
_SERVER_KEYS = frozenset({*SERVER_FIELDS, *(to_camel(f) for f in SERVER_FIELDS)})


def _configuration(body: Any) -> Integration:
    fields = {k: v for k, v in require_object(body).items() if k not in _SERVER_KEYS}
    return validate(Integration, fields)


def _create(tenant: str, integration_id: str, config: Integration, now: datetime) -> Integration:
    first = next_sync_at(config.sync_frequency, None, now)
    new = config.with_server_fields(created_at=now, updated_at=now, next_sync_at=first)
    return get_services().stores.integrations.create(tenant, integration_id, new)


def _replace(tenant: str, integration_id: str, current: Integration, config: Integration, now: datetime
             ) -> Integration:
    """The new configuration over the current server state (kept: state, lastSyncAt, the lease...)."""
    changes = config.model_dump(exclude=set(SERVER_FIELDS))
    changes["updated_at"] = now
    if config.sync_frequency != current.sync_frequency:
        changes["next_sync_at"] = next_sync_at(config.sync_frequency, current.last_sync_at, now)
    return get_services().stores.integrations.update(tenant, integration_id, changes, if_match=current.etag)


@bp.route(route=ROUTE, methods=["PUT"])
@api_errors
def integrations_put(req: func.HttpRequest) -> func.HttpResponse:
    """Create (201) or replace (200) an integration's configuration; an optional ``If-Match`` makes
    the replace conditional (412 when stale or when the integration does not exist)."""
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    config = _configuration(read_json(req))
    store = get_services().stores.integrations

    def create() -> func.HttpResponse:
        saved = _create(tenant, integration_id, config, datetime.now(UTC))
        return json_response(saved.to_wire(), 201, etag_headers(saved.etag))

    def replace(current: Integration) -> func.HttpResponse:
        saved = _replace(tenant, integration_id, current, config, datetime.now(UTC))
        return json_response(saved.to_wire(), 200, etag_headers(saved.etag))

    return write_current(req, "integration", lambda: store.get(tenant, integration_id), replace, create=create)


@bp.route(route=ROUTE, methods=["GET"])
@api_errors
def integrations_get(req: func.HttpRequest) -> func.HttpResponse:
    """The integration with its ``state``, ``lastSyncAt`` and ``nextSyncAt``."""
    found = get_services().stores.integrations.get(tenant_id(req), route_id(req, "integrationId"))
    if found is None:
        raise NotFound("no such integration")
    return json_response(found.to_wire(), headers=etag_headers(found.etag))


@bp.route(route="tenants/{tenantId}/integrations", methods=["GET"])
@api_errors
def integrations_list(req: func.HttpRequest) -> func.HttpResponse:
    items = get_services().stores.integrations.list(tenant_id(req))
    return json_response({"items": [i.to_wire() for i in items]})


def _forget(tenant: str, integration_id: str) -> bool:
    """Delete the integration, then its cursors and credential; False if there was none."""
    stores = get_services().stores
    if not stores.integrations.delete(tenant, integration_id):
        return False
    stores.sync_state.delete_for_integration(tenant, integration_id)
    credential_service().delete(tenant, integration_id)
    return True


@bp.route(route=ROUTE, methods=["DELETE"])
@bp.durable_client_input(client_name="client")
@api_errors
async def integrations_delete(req: func.HttpRequest, client: df.DurableOrchestrationClient
                              ) -> func.HttpResponse:
    """Terminate its running sync (which would otherwise write cursors for an integration that is gone),
    then remove the integration, its cursors and its credential; runs stay as history."""
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    found = await asyncio.to_thread(get_services().stores.integrations.get, tenant, integration_id)
    if found is None:
        raise NotFound("no such integration")
    running = found.active_run_id
    if running and await is_alive(client, running, datetime.now(UTC)):
        await client.terminate(running, "integration deleted")
    if not await asyncio.to_thread(_forget, tenant, integration_id):
        raise NotFound("no such integration")
    return no_content()
