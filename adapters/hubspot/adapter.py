"""``HubSpotAdapter``: the ProviderAdapter for HubSpot CRM v3 objects."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from adapters.base import WriteResult
from adapters.http.limits import hubspot as hubspot_limits
from adapters.http.paged import AdapterParts, PagedAdapter
from adapters.http.session import parse_model, read_json
from adapters.hubspot import errors
from adapters.hubspot.paginate import HubSpotPager, to_record
from core.errors import MalformedResponse, PreconditionFailed, ValidationFailed


class BatchResult(BaseModel):
    """Batch upsert response: ``{"status", "results": [object + "new"], "errors"?: [...]}``."""

    status: str | None = None
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []


def properties(data: dict[str, Any]) -> dict[str, Any]:
    """Write bodies carry ``{"properties": {...}}``; accept either that or the bare property map."""
    inner = data.get("properties")
    return dict(inner) if isinstance(inner, dict) and len(data) == 1 else dict(data)


class HubSpotAdapter(PagedAdapter, parts=AdapterParts("hubspot", errors.classify, hubspot_limits, HubSpotPager)):
    """Lists, searches and archives CRM objects; creates idempotently by a unique property."""

    def _object_url(self, entity: str, external_id: str) -> str:
        return self.connection.objects_url(entity, f"/{quote(external_id, safe='')}")

    def _result(self, body: Any, created: bool | None) -> WriteResult:
        if not isinstance(body, dict):
            raise MalformedResponse("write response is not an object", provider=self.provider)
        record = to_record(body)
        return WriteResult(external_id=record.id, version=record.version, created=created,
                           limits=self._http.last_limits)

    async def create(
        self, entity: str, data: dict[str, Any], idempotency_key: str | None = None
    ) -> WriteResult:
        """Create; with a unique property configured for ``entity``, upsert on it so retries converge."""
        unique = self.connection.unique_properties.get(entity)
        if idempotency_key and unique:
            return await self._upsert(entity, unique, idempotency_key, properties(data))
        # https://developers.hubspot.com/docs/api/crm/understanding-the-crm
        # (POST /crm/v3/objects/{objectType})
        body = await self._http.json("POST", self.connection.objects_url(entity),
                                     json={"properties": properties(data)})
        return self._result(body, True)

    async def _upsert(self, entity: str, unique: str, key: str, props: dict[str, Any]) -> WriteResult:
        props[unique] = key
        payload = {"inputs": [{"idProperty": unique, "id": key, "properties": props}]}
        # https://developers.hubspot.com/docs/api/crm/objects (POST /crm/v3/objects/{objectType}/batch/upsert)
        response = await self._http.request("POST", self.connection.objects_url(entity, "/batch/upsert"),
                                            json=payload, idempotent=True)
        batch = parse_model(read_json(response, self.provider), BatchResult, self.provider)
        if batch.errors or not batch.results:
            first = batch.errors[0] if batch.errors else {}
            raise ValidationFailed(str(first.get("message") or "batch upsert returned no result"),
                                   provider=self.provider, status=response.status_code)
        return self._result(batch.results[0], bool(batch.results[0].get("new")))

    async def _check_version(self, entity: str, external_id: str, if_version: str | None) -> None:
        """HubSpot has no conditional writes: compare ``updatedAt`` first (a narrow race remains)."""
        if if_version is None:
            return
        # https://developers.hubspot.com/docs/api/crm/understanding-the-crm
        # (GET /crm/v3/objects/{objectType}/{id})
        current = to_record(await self._http.json("GET", self._object_url(entity, external_id)))
        if current.version != if_version:
            raise PreconditionFailed("record changed since the given version", provider=self.provider,
                                     status=412, current_version=current.version)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        await self._check_version(entity, external_id, if_version)
        # https://developers.hubspot.com/docs/api/crm/understanding-the-crm (PATCH .../{objectType}/{id})
        body = await self._http.json("PATCH", self._object_url(entity, external_id),
                                     json={"properties": properties(data)}, idempotent=True)
        return self._result(body, False)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """Archive the object (HubSpot's delete; it then lists under ``archived=true``)."""
        await self._check_version(entity, external_id, if_version)
        # https://developers.hubspot.com/docs/api/crm/understanding-the-crm (DELETE .../{objectType}/{id})
        await self._http.request("DELETE", self._object_url(entity, external_id))
