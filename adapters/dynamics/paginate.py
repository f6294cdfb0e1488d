"""Dataverse reads: change tracking (``@odata.deltaLink``, ``$deletedEntity``) or a modifiedon window.

https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems
https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from adapters.base import Cursor, ExternalRecord, FetchMode, FetchRequest, Page
from adapters.dynamics.spec import DATAVERSE, DataverseConnection
from adapters.http.session import ProviderHttp, parse_model
from adapters.incremental import advance, parse_timestamp, past_boundary, query_floor
from core.errors import MalformedResponse, ResyncRequired

DELETED_MARK = "$deletedEntity"


class ODataCollection(BaseModel):
    """``{"value": [...], "@odata.nextLink"?, "@odata.deltaLink"?}``."""

    model_config = ConfigDict(populate_by_name=True)

    value: list[dict[str, Any]]
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
    delta_link: str | None = Field(default=None, alias="@odata.deltaLink")


def to_record(raw: dict[str, Any], key: str) -> ExternalRecord:
    """A row as an ExternalRecord: the key attribute, ``modifiedon``, ``@odata.etag`` as version."""
    record_id = raw.get(key)
    if not isinstance(record_id, str) or not record_id:
        raise MalformedResponse(f"row without its key {key!r}", provider="dynamics")
    etag = raw.get("@odata.etag")
    return ExternalRecord(id=record_id, version=etag if isinstance(etag, str) else None,
                          modified_at=parse_timestamp(raw.get(DATAVERSE.modified_field)), data=raw)


def odata_datetime(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class DataversePager:
    """Reads pages for one connection."""

    def __init__(self, http: ProviderHttp, connection: DataverseConnection) -> None:
        self._http = http
        self._conn = connection

    def _prefer(self, req: FetchRequest) -> dict[str, str]:
        size = min(req.page_size, DATAVERSE.max_page_size)
        prefs = ["odata.track-changes"] if self._conn.change_tracking else []
        return {"Prefer": ", ".join([*prefs, f"odata.maxpagesize={size}"])}

    def _select(self, req: FetchRequest) -> dict[str, str]:
        if not req.fields:
            return {}
        key = self._conn.key(req.entity)
        names = dict.fromkeys([key, DATAVERSE.modified_field, *req.fields])
        return {"$select": ",".join(names)}

    async def fetch(self, req: FetchRequest) -> Page:
        cursor = req.cursor or Cursor()
        if self._conn.change_tracking:
            return await self._tracked(req, cursor)
        return await self._windowed(req, cursor)

    async def _tracked(self, req: FetchRequest, cursor: Cursor) -> Page:
        # A full read restarts change tracking; its last page hands out a fresh deltaLink.
        token = cursor.token if req.mode is FetchMode.INCREMENTAL or cursor.phase == "initial" else None
        try:
            # https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems
            # (nextLink and deltaLink are followed unchanged, with the same Prefer header)
            if token:
                body = await self._http.json("GET", token, headers=self._prefer(req))
            else:
                body = await self._http.json("GET", self._conn.set_url(req.entity), headers=self._prefer(req),
                                             params=self._select(req))
        except ResyncRequired:
            return Page(resync_required=True, checkpoint=Cursor(lag_seconds=cursor.lag_seconds),
                        limits=self._http.last_limits)
        result = parse_model(body, ODataCollection, "dynamics")
        key = self._conn.key(req.entity)
        records, deleted = [], []
        for row in result.value:
            if DELETED_MARK in str(row.get("@odata.context", "")):
                deleted.append(str(row.get("id")))
            else:
                records.append(to_record(row, key))
        phase = "initial" if not token or cursor.phase == "initial" else None
        if result.next_link:
            step = Cursor(token=result.next_link, phase=phase, lag_seconds=cursor.lag_seconds)
            return Page(records=records, deleted_ids=deleted, next_cursor=step, checkpoint=step,
                        limits=self._http.last_limits)
        if not result.delta_link:
            raise MalformedResponse("change-tracking page without nextLink or deltaLink", provider="dynamics")
        done = Cursor(token=result.delta_link, lag_seconds=cursor.lag_seconds)
        return Page(records=records, deleted_ids=deleted, checkpoint=done, limits=self._http.last_limits)

    async def _windowed(self, req: FetchRequest, cursor: Cursor) -> Page:
        key = self._conn.key(req.entity)
        if cursor.token:
            # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results
            body = await self._http.json("GET", cursor.token, headers=self._prefer(req))
        else:
            if req.mode is FetchMode.FULL:
                cursor = Cursor(lag_seconds=cursor.lag_seconds, end=cursor.end)
            params = self._select(req)
            clauses = []
            floor = query_floor(cursor)
            if floor is not None:
                clauses.append(f"{DATAVERSE.modified_field} ge {odata_datetime(floor)}")
            if cursor.end is not None:
                clauses.append(f"{DATAVERSE.modified_field} le {odata_datetime(cursor.end)}")
            if clauses:
                params["$filter"] = " and ".join(clauses)
            params["$orderby"] = f"{DATAVERSE.modified_field} asc,{key} asc"
            # https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows
            body = await self._http.json("GET", self._conn.set_url(req.entity), headers=self._prefer(req),
                                         params=params)
        result = parse_model(body, ODataCollection, "dynamics")
        records = past_boundary((to_record(row, key) for row in result.value), cursor)
        high = advance(cursor, records)
        next_cursor = high.model_copy(update={"token": result.next_link}) if result.next_link else None
        return Page(records=records, next_cursor=next_cursor, checkpoint=high, limits=self._http.last_limits)
