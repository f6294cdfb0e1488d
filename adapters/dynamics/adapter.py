"""``DataverseAdapter``: the ProviderAdapter for the Dynamics 365 / Dataverse Web API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from adapters.base import WriteResult
from adapters.dynamics import errors
from adapters.dynamics.paginate import DataversePager, to_record
from adapters.http.limits import dataverse as dataverse_limits
from adapters.http.paged import AdapterParts, PagedAdapter
from adapters.http.session import read_json
from core.errors import MalformedResponse

# Deterministic row ids for idempotent creates: the same key always names the same row.
IDEMPOTENCY_NAMESPACE = uuid.UUID("4f0c5a55-7c1e-4e0b-9a43-3f6f1d2b8c11")
RETURN_REPRESENTATION = {"Prefer": "return=representation"}


def row_id_for(entity: str, idempotency_key: str) -> str:
    """The row id a create with this key uses (Dataverse accepts client-chosen primary keys)."""
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{entity}:{idempotency_key}"))


class DataverseAdapter(PagedAdapter, parts=AdapterParts("dynamics", errors.classify, dataverse_limits, DataversePager)):
    """Change-tracked reads, ``If-Match`` writes, upsert by a deterministic id for idempotent creates."""

    def _row_url(self, entity: str, external_id: str) -> str:
        return self.connection.set_url(entity, f"({external_id})")

    def _result(self, entity: str, response: httpx.Response, created: bool | None) -> WriteResult:
        body = read_json(response, self.provider)
        if not isinstance(body, dict):
            raise MalformedResponse("write response without a representation", provider=self.provider)
        record = to_record(body, self.connection.key(entity))
        return WriteResult(external_id=record.id, version=record.version, created=created,
                           limits=self._http.last_limits)

    async def create(
        self, entity: str, data: dict[str, Any], idempotency_key: str | None = None
    ) -> WriteResult:
        """POST a row; with a key, upsert (PATCH) a row whose id derives from the key, so retries converge."""
        if idempotency_key:
            # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api
            # (upsert: PATCH without If-Match creates the row when it does not exist)
            response = await self._http.request(
                "PATCH", self._row_url(entity, row_id_for(entity, idempotency_key)), json=data,
                headers=RETURN_REPRESENTATION, idempotent=True)
            return self._result(entity, response, response.status_code == 201)
        # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api
        response = await self._http.request("POST", self.connection.set_url(entity), json=data,
                                            headers=RETURN_REPRESENTATION)
        return self._result(entity, response, True)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """PATCH with ``If-Match`` (the row's ETag, or ``*`` so an update never creates a row)."""
        # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api
        headers = {**RETURN_REPRESENTATION, "If-Match": if_version or "*"}
        response = await self._http.request("PATCH", self._row_url(entity, external_id), json=data,
                                            headers=headers, idempotent=True)
        return self._result(entity, response, False)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api
        headers = {"If-Match": if_version} if if_version else {}
        await self._http.request("DELETE", self._row_url(entity, external_id), headers=headers)
