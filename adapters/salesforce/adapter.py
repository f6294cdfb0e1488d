"""``SalesforceAdapter``: the ProviderAdapter for the Salesforce REST API."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from adapters.base import WriteResult
from adapters.http.limits import salesforce as salesforce_limits
from adapters.http.paged import AdapterParts, PagedAdapter
from adapters.http.session import read_json
from adapters.incremental import parse_timestamp
from adapters.salesforce import errors
from adapters.salesforce.paginate import SoqlPager
from adapters.salesforce.spec import SALESFORCE
from core.errors import ConfigError, MalformedResponse


def if_unmodified_since(version: str | None) -> dict[str, str]:
    """``If-Unmodified-Since`` from a record version (its ``LastModifiedDate``)."""
    if version is None:
        return {}
    when = parse_timestamp(version)
    if when is None:
        raise ConfigError(f"not a Salesforce LastModifiedDate: {version!r}", provider="salesforce")
    return {"If-Unmodified-Since": format_datetime(when, usegmt=True)}


class SalesforceAdapter(PagedAdapter, parts=AdapterParts("salesforce", errors.classify, salesforce_limits, SoqlPager)):
    """Reads with SOQL (``queryAll`` for deletions), writes sObject rows, upserts by external id."""

    def _row_url(self, entity: str, external_id: str) -> str:
        return self.connection.data_url(f"/sobjects/{quote(entity)}/{quote(external_id, safe='')}")

    async def _version(self, entity: str, external_id: str) -> str | None:
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
        body = await self._http.json("GET", self._row_url(entity, external_id),
                                     params={"fields": SALESFORCE.version_field})
        version = body.get(SALESFORCE.version_field) if isinstance(body, dict) else None
        return version if isinstance(version, str) else None

    async def create(
        self, entity: str, data: dict[str, Any], idempotency_key: str | None = None
    ) -> WriteResult:
        """POST a new row, or with an external id field configured, upsert so a retry cannot duplicate."""
        ext_field = self.connection.external_id_fields.get(entity)
        if idempotency_key and ext_field:
            # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
            url = self.connection.data_url(
                f"/sobjects/{quote(entity)}/{quote(ext_field)}/{quote(idempotency_key, safe='')}")
            body = {k: v for k, v in data.items() if k != ext_field}
            response = await self._http.request("PATCH", url, json=body, idempotent=True)
            created = response.status_code == 201
            result = read_json(response, self.provider)
            external_id = result.get("id") if isinstance(result, dict) else None
            if not external_id:  # older API versions answer an update-by-upsert with 204 and no body
                # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
                found = await self._http.json("GET", url, params={"fields": "Id"})
                external_id = found.get("Id") if isinstance(found, dict) else None
        else:
            # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
            result = await self._http.json("POST", self.connection.data_url(f"/sobjects/{quote(entity)}/"),
                                           json=data)
            external_id, created = (result.get("id") if isinstance(result, dict) else None), True
        if not isinstance(external_id, str):
            raise MalformedResponse("create response without an id", provider=self.provider)
        return WriteResult(external_id=external_id, version=await self._version(entity, external_id),
                           created=created, limits=self._http.last_limits)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """PATCH the row; ``if_version`` (a LastModifiedDate) is sent as ``If-Unmodified-Since``."""
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_conditional_requests.htm
        await self._http.request("PATCH", self._row_url(entity, external_id), json=data,
                                 headers=if_unmodified_since(if_version), idempotent=True)
        return WriteResult(external_id=external_id, version=await self._version(entity, external_id),
                           created=False, limits=self._http.last_limits)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """DELETE the row (it goes to the Recycle Bin, where ``queryAll`` still sees it as deleted)."""
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_delete_record.htm
        await self._http.request("DELETE", self._row_url(entity, external_id),
                                 headers=if_unmodified_since(if_version))

    async def get_deleted(self, entity: str, start: datetime, end: datetime) -> list[str]:
        """Ids deleted in [start, end] (at most 15 days back), for hard deletes ``queryAll`` misses."""
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
        body = await self._http.json(
            "GET", self.connection.data_url(f"/sobjects/{quote(entity)}/deleted/"),
            params={"start": start.isoformat(timespec="seconds"), "end": end.isoformat(timespec="seconds")},
        )
        records = body.get("deletedRecords") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise MalformedResponse("getDeleted response without deletedRecords", provider=self.provider)
        return [str(r["id"]) for r in records if isinstance(r, dict) and r.get("id")]
