"""Webhook registrations: `PUT/GET/DELETE /api/tenants/{tenantId}/webhooks/{registrationId}`.

PUT body (api.md): ``{"provider", "integrationId", "secret", "scheme": {...}, "recordPath",
"entityTypes", "rateLimit"}``. ``scheme`` is the verification config of ``webhooks`` (its ``scheme``
defaults to ``provider``); ``secret`` fills the scheme's one secret field (or put it in ``scheme``).
Secrets go to the secret store and are never answered; a PUT without a secret keeps the stored one.
Registration ids are unique across tenants (the public URL carries no tenant): another tenant's id
is a 409.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import azure.functions as func
from pydantic import Field, SecretStr, ValidationError

from api.http import (
    Conflict,
    ErrorCode,
    NotFound,
    Unprocessable,
    json_response,
    no_content,
    read_json,
    require_object,
    route_id,
    tenant_id,
    validate,
)
from api.webhook_endpoints import secret_field
from core.models import CamelModel, Identifier, validation_details
from services import Services
from stores.webhook_registrations import RateLimit, WebhookRegistration, webhook_secret_name
from webhooks import load_scheme_config


class RegistrationBody(CamelModel):
    provider: Identifier
    integration_id: Identifier
    secret: SecretStr | None = None
    scheme: dict[str, Any] = Field(default_factory=dict)
    record_path: str | None = Field(default=None, max_length=200)
    entity_types: dict[str, str] = Field(default_factory=dict)
    rate_limit: RateLimit = Field(default_factory=RateLimit)


def view(registration: WebhookRegistration, has_secret: bool) -> dict[str, Any]:
    """What GET and PUT answer: the registration, its public URL path, whether a secret is stored."""
    body = registration.to_wire()
    body.pop("etag", None)
    return {**body, "url": f"/api/webhooks/{registration.provider}/{registration.registration_id}",
            "hasSecret": has_secret}


def _split_secret(body: RegistrationBody) -> tuple[dict[str, Any], str | None, str | None]:
    """The scheme config to store (validated, secret removed), its secret field's name, the secret."""
    scheme = {"scheme": body.provider, **body.scheme}
    try:
        config = load_scheme_config(scheme)
        field = secret_field(type(config))
        inline = None
        if field is not None:
            python_name = next(n for n, f in type(config).model_fields.items() if (f.alias or n) == field)
            inline = scheme.pop(field, None) or scheme.pop(python_name, None)
            config = load_scheme_config(scheme)
    except ValidationError as exc:
        details = [{**d, "field": f"scheme.{d['field']}"} for d in validation_details(exc)]
        raise Unprocessable("the scheme configuration is not valid", details=details) from None
    secret = body.secret.get_secret_value() if body.secret is not None else inline
    if secret is not None and not isinstance(secret, str):
        raise Unprocessable("the secret must be a string", details=[{"field": "secret", "message": "not a string"}])
    return config.model_dump(mode="json", by_alias=True, exclude_none=True), field, secret


def put_registration(req: func.HttpRequest, services: Services, forget: Any) -> func.HttpResponse:
    """Create or replace a registration: 201 or 200 with ``view``; 404 unknown integration; 409; 422."""
    tenant, registration_id = tenant_id(req), route_id(req, "registrationId")
    body = validate(RegistrationBody, require_object(read_json(req)))
    stores = services.stores
    if stores.integrations.get(tenant, body.integration_id) is None:
        raise NotFound("no such integration")
    existing = stores.webhook_registrations.find(registration_id)
    if existing is not None and existing.tenant_id != tenant:
        raise Conflict("this registration id is taken", code=ErrorCode.ALREADY_EXISTS)
    stored, field, secret = _split_secret(body)
    name = webhook_secret_name(tenant, registration_id, field) if field else None
    if name is not None and secret:
        stores.secrets.set(name, secret)
    now = datetime.now(UTC)
    registration, created = stores.webhook_registrations.put(WebhookRegistration(
        tenant_id=tenant, registration_id=registration_id, provider=body.provider,
        integration_id=body.integration_id, scheme=stored, secret_fields=[field] if field else [],
        record_path=body.record_path, entity_types=body.entity_types, rate_limit=body.rate_limit,
        created_at=existing.created_at if existing else now, updated_at=now,
    ))
    forget(registration_id)
    has_secret = name is not None and stores.secrets.get(name) is not None
    return json_response(view(registration, has_secret), 201 if created else 200)


def _owned(services: Services, req: func.HttpRequest) -> WebhookRegistration:
    tenant, registration_id = tenant_id(req), route_id(req, "registrationId")
    registration = services.stores.webhook_registrations.get(tenant, registration_id)
    if registration is None:
        raise NotFound("no such webhook registration")
    return registration


def get_registration(req: func.HttpRequest, services: Services) -> func.HttpResponse:
    registration = _owned(services, req)
    names = [webhook_secret_name(registration.tenant_id, registration.registration_id, f)
             for f in registration.secret_fields]
    return json_response(view(registration, any(services.stores.secrets.get(n) is not None for n in names)))


def delete_registration(req: func.HttpRequest, services: Services, forget: Any) -> func.HttpResponse:
    registration = _owned(services, req)
    for field in registration.secret_fields:
        services.stores.secrets.delete(webhook_secret_name(registration.tenant_id, registration.registration_id,
                                                           field))
    services.stores.webhook_registrations.delete(registration.tenant_id, registration.registration_id)
    forget(registration.registration_id)
    return no_content()
