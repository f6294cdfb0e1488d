"""Reading one record's current state from the provider, for three-way conflict detection.

``ProviderAdapter`` has no single-record read yet, so this goes through the adapter's own HTTP
session (its auth, retries, limits and error classification) with the provider's documented
record URL. Providers without a reader here cannot resolve a lost precondition three-way: the
push reports the conflict as a permanent ``PreconditionFailed`` instead.
"""

from __future__ import annotations

from typing import Any

from adapters.base import ExternalRecord, ProviderAdapter
from core.errors import ConfigError


async def read_remote(adapter: ProviderAdapter, entity: str, external_id: str) -> ExternalRecord:
    """The record as the provider has it now; ``NotFound`` when it is gone."""
    reader = getattr(adapter, "provider", None)
    http: Any = getattr(adapter, "_http", None)
    if reader == "salesforce" and http is not None:
        from adapters.salesforce.paginate import to_record as salesforce_record

        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
        url = adapter._row_url(entity, external_id)  # type: ignore[attr-defined]
        body = await http.json("GET", url)
        return salesforce_record(body, adapter.connection.modified_field)  # type: ignore[attr-defined]
    if reader == "hubspot" and http is not None:
        from adapters.hubspot.paginate import to_record as hubspot_record

        # https://developers.hubspot.com/docs/api/crm/understanding-the-crm (GET .../{objectType}/{id})
        body = await http.json("GET", adapter._object_url(entity, external_id))  # type: ignore[attr-defined]
        return hubspot_record(body)
    if reader == "dynamics" and http is not None:
        from adapters.dynamics.paginate import to_record as dataverse_record

        # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/retrieve-entity-using-web-api
        body = await http.json("GET", adapter._row_url(entity, external_id))  # type: ignore[attr-defined]
        return dataverse_record(body, adapter.connection.key(entity))  # type: ignore[attr-defined]
    raise ConfigError(f"no single-record read for provider {reader!r}", provider=str(reader))
