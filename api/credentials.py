"""An integration's credential: `PUT/GET /api/tenants/{tenantId}/integrations/{integrationId}/credentials`.

PUT hands the credential to ``credentials.service.CredentialService.save`` (secret into the secret
store, metadata into the record store, ``needs_reauth`` lifted back to ``active``); GET returns
the metadata only. No answer of this module ever contains a secret.
"""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func
from pydantic import ValidationError

from api.http import (
    NotFound,
    Unprocessable,
    api_errors,
    json_response,
    no_content,
    read_json,
    require_object,
    route_id,
    tenant_id,
)
from core.models import parse_credential, validation_details
from core.models.credentials import Credential
from credentials.runtime import credential_service
from services import get_services

bp = df.Blueprint()

ROUTE = "tenants/{tenantId}/integrations/{integrationId}/credentials"
def _parse(body: object) -> Credential:
    try:
        return parse_credential(require_object(body))
    except ValidationError as exc:
        raise Unprocessable("the credential is not valid", details=validation_details(exc)) from None


@bp.route(route=ROUTE, methods=["PUT"])
@api_errors
def credentials_put(req: func.HttpRequest) -> func.HttpResponse:
    """Store (or replace) the integration's credential: 204, nothing echoed."""
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    if get_services().stores.integrations.get(tenant, integration_id) is None:
        raise NotFound("no such integration")
    credential = _parse(read_json(req))
    credential_service().save(tenant, integration_id, credential, actor="api")
    return no_content()


@bp.route(route=ROUTE, methods=["GET"])
@api_errors
def credentials_get(req: func.HttpRequest) -> func.HttpResponse:
    """``type``, ``expiresAt``, ``status``, ``lastRefreshedAt``: never a secret."""
    tenant, integration_id = tenant_id(req), route_id(req, "integrationId")
    if get_services().stores.integrations.get(tenant, integration_id) is None:
        raise NotFound("no such integration")
    meta = credential_service().metadata(tenant, integration_id)
    if meta is None:
        raise NotFound("no credential stored for this integration")
    shown = {"type", "expires_at", "status", "last_refreshed_at"}
    return json_response(meta.model_dump(mode="json", by_alias=True, include=shown))
