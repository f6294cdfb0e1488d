"""WebhookRegistrationStore: where a webhook URL leads (tenant, integration, verification scheme).

The public route ``POST /api/webhooks/{provider}/{registrationId}`` carries no tenant, so a
registration id is unique across tenants and ``find`` looks it up without one. The scheme
configuration is stored without its secrets: those live in the secret store under
``webhook_secret_name`` and are only named here (``secretFields``).

Registrations share the ``webhooks`` collection (container) with the inbox, as in the seeds'
design; their document ids are ``registration:<id>`` and their index carries ``kind`` so the
two never meet in a query.
"""

from __future__ import annotations

import builtins
from typing import Any, Protocol

from pydantic import Field

from core.models import DocumentModel, Identifier, UtcDatetime
from stores.codec import from_stored, to_body
from stores.documents import Cond, DocumentCollection, Order


class RateLimit(DocumentModel):
    """The per-registration acceptance rate (token bucket): ``requestsPerSecond`` sustained, ``burst`` peak."""

    requests_per_second: float = Field(default=500.0, gt=0, le=100_000)
    burst: int = Field(default=1000, ge=1, le=1_000_000)


class WebhookRegistration(DocumentModel):
    """One webhook endpoint of one integration.

    ``scheme`` is the verification configuration of ``webhooks.load_scheme_config`` minus its
    secrets; ``record_path`` is where an event's data holds the record's fields (a dot path into
    ``WebhookEvent.data``, ``""`` for the data itself): events without it are thin and their
    records are fetched through the adapter. ``entity_types`` maps event entity types
    (``contact``) to the integration's external entities (``contacts``) where the names differ.
    """

    tenant_id: Identifier
    registration_id: Identifier
    provider: Identifier
    integration_id: Identifier
    scheme: dict[str, Any]
    secret_fields: list[str] = Field(default_factory=list)
    record_path: str | None = None
    entity_types: dict[str, str] = Field(default_factory=dict)
    rate_limit: RateLimit = Field(default_factory=RateLimit)
    created_at: UtcDatetime
    updated_at: UtcDatetime
    etag: str | None = None


def webhook_secret_name(tenant_id: str, registration_id: str, field: str) -> str:
    """The secret store name of one secret field of a registration's scheme."""
    return f"webhook--{tenant_id}--{registration_id}--{field}"


class WebhookRegistrationStore(Protocol):
    def get(self, tenant_id: str, registration_id: str) -> WebhookRegistration | None: ...

    def find(self, registration_id: str) -> WebhookRegistration | None:
        """The registration with this id, whatever its tenant (the public route has none)."""
        ...

    def put(self, registration: WebhookRegistration) -> tuple[WebhookRegistration, bool]:
        """Create or replace; the flag is True when it was created."""
        ...

    def delete(self, tenant_id: str, registration_id: str) -> bool: ...

    def list_for_integration(self, tenant_id: str, integration_id: str) -> builtins.list[WebhookRegistration]: ...

    def list_all(self, limit: int = 1000) -> builtins.list[WebhookRegistration]:
        """Every tenant's registrations (the sweeper's view)."""
        ...


KIND = "registration"


def _doc_id(registration_id: str) -> str:
    return f"{KIND}:{registration_id}"


def _index(registration: WebhookRegistration) -> dict[str, Any]:
    return {"kind": KIND, "registration": registration.registration_id,
            "integration": registration.integration_id}


class DocumentWebhookRegistrationStore:
    """``WebhookRegistrationStore`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def get(self, tenant_id: str, registration_id: str) -> WebhookRegistration | None:
        stored = self._docs.get(tenant_id, _doc_id(registration_id))
        return from_stored(WebhookRegistration, stored) if stored else None

    def find(self, registration_id: str) -> WebhookRegistration | None:
        found = self._docs.query(
            None, [Cond("ix.kind", "=", KIND), Cond("ix.registration", "=", registration_id)], limit=1
        )
        return from_stored(WebhookRegistration, found[0]) if found else None

    def put(self, registration: WebhookRegistration) -> tuple[WebhookRegistration, bool]:
        stored, created = self._docs.upsert(
            registration.tenant_id, _doc_id(registration.registration_id), to_body(registration, **_index(registration))
        )
        return from_stored(WebhookRegistration, stored), created

    def delete(self, tenant_id: str, registration_id: str) -> bool:
        return self._docs.delete(tenant_id, _doc_id(registration_id))

    def list_for_integration(self, tenant_id: str, integration_id: str) -> builtins.list[WebhookRegistration]:
        where = [Cond("ix.kind", "=", KIND), Cond("ix.integration", "=", integration_id)]
        found = self._docs.query(tenant_id, where, [Order("id")])
        return [from_stored(WebhookRegistration, s) for s in found]

    def list_all(self, limit: int = 1000) -> builtins.list[WebhookRegistration]:
        return [from_stored(WebhookRegistration, s) for s in self._docs.query(
            None, [Cond("ix.kind", "=", KIND)], limit=limit)]
