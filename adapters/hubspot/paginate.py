"""HubSpot reads: the object list (full), archived records (deletions), then windowed search (changes).

An incremental run has two phases carried in ``Cursor.phase``: ``archived`` lists archived
records and reports those archived since the cursor's floor; ``search`` reads changes sorted by
the modified-date property, re-windowing from the high-water mark before the 10,000-result cap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from adapters.base import Cursor, ExternalRecord, FetchMode, FetchRequest, Page
from adapters.http.session import ProviderHttp, parse_model
from adapters.hubspot.spec import HUBSPOT, HubSpotConnection
from adapters.incremental import advance, parse_timestamp, past_boundary, query_floor
from core.errors import MalformedResponse

LIST, ARCHIVED, SEARCH = "list", "archived", "search"



TOP_LEVEL = frozenset({"id", "createdAt", "updatedAt", "archived", "archivedAt"})


def property_names(fields: list[str]) -> list[str]:
    """HubSpot property names for record paths: ``properties.email`` (how a mapping reads the record) and a
    bare ``email`` both ask for ``email``; top-level fields (``id``, ``updatedAt``) always come back."""
    names = []
    for field in fields:
        name = field.removeprefix("properties.").split(".", 1)[0]
        if name not in TOP_LEVEL and name not in names:
            names.append(name)
    return names

class _Next(BaseModel):
    after: str


class _Paging(BaseModel):
    next: _Next | None = None


class CollectionResponse(BaseModel):
    """List and search responses: ``{"results": [...], "paging": {"next": {"after"}}}``."""

    results: list[dict[str, Any]]
    paging: _Paging | None = None
    total: int | None = None

    @property
    def after(self) -> str | None:
        return self.paging.next.after if self.paging and self.paging.next else None


def to_record(raw: dict[str, Any]) -> ExternalRecord:
    """An object as an ExternalRecord: ``id``, ``updatedAt`` as both modified time and version."""
    record_id = raw.get("id")
    if not isinstance(record_id, str | int) or record_id == "":
        raise MalformedResponse("object without an id", provider="hubspot")
    updated = raw.get("updatedAt")
    return ExternalRecord(id=str(record_id), version=updated if isinstance(updated, str) else None,
                          modified_at=parse_timestamp(updated), data=raw)


def epoch_ms(value: datetime) -> str:
    return str(int(value.timestamp() * 1000))


class HubSpotPager:
    """Reads pages for one connection."""

    def __init__(self, http: ProviderHttp, connection: HubSpotConnection) -> None:
        self._http = http
        self._conn = connection

    async def fetch(self, req: FetchRequest) -> Page:
        cursor = req.cursor or Cursor()
        if cursor.phase == LIST:
            return await self._list(req, cursor)
        if req.mode is FetchMode.FULL or cursor.start is None:
            # A fresh full read starts at the first page and forgets any floor.
            return await self._list(req, Cursor(lag_seconds=cursor.lag_seconds))
        if cursor.phase == SEARCH:
            return await self._search(req, cursor)
        return await self._archived(req, cursor if cursor.phase == ARCHIVED else cursor.model_copy(
            update={"token": None, "phase": ARCHIVED, "query_start": query_floor(cursor), "offset": 0}))

    async def _get_list(self, req: FetchRequest, after: str | None, archived: bool) -> CollectionResponse:
        params: dict[str, Any] = {"limit": min(req.page_size, HUBSPOT.list_max_limit),
                                  "archived": "true" if archived else "false"}
        if after:
            params["after"] = after
        if req.fields:
            params["properties"] = ",".join(property_names(req.fields))
        # https://developers.hubspot.com/docs/api/crm/understanding-the-crm (GET /crm/v3/objects/{objectType})
        body = await self._http.json("GET", self._conn.objects_url(req.entity), params=params)
        return parse_model(body, CollectionResponse, "hubspot")

    async def _list(self, req: FetchRequest, cursor: Cursor) -> Page:
        result = await self._get_list(req, cursor.token, archived=False)
        records = [to_record(r) for r in result.results]
        high = advance(cursor, records)
        if result.after:
            resume = Cursor(token=result.after, phase=LIST, lag_seconds=cursor.lag_seconds)
            going_on = high.model_copy(update={"token": result.after, "phase": LIST})
            return Page(records=records, next_cursor=going_on, checkpoint=resume,
                        limits=self._http.last_limits)
        return Page(records=records, checkpoint=self._settled(high), limits=self._http.last_limits)

    async def _archived(self, req: FetchRequest, cursor: Cursor) -> Page:
        result = await self._get_list(req, cursor.token, archived=True)
        floor = cursor.query_start
        deleted = []
        for raw in result.results:
            archived_at = parse_timestamp(raw.get("archivedAt"))
            if floor is None or archived_at is None or archived_at >= floor:
                deleted.append(to_record(raw).id)
        if result.after:
            next_cursor = cursor.model_copy(update={"token": result.after})
        else:
            next_cursor = cursor.model_copy(update={"token": None, "phase": SEARCH, "offset": 0})
        checkpoint = cursor.model_copy(update={"token": None, "phase": None, "query_start": None})
        return Page(deleted_ids=deleted, next_cursor=next_cursor, checkpoint=checkpoint,
                    limits=self._http.last_limits)

    async def _search(self, req: FetchRequest, cursor: Cursor) -> Page:
        prop = HUBSPOT.modified_for(req.entity)
        limit = min(req.page_size, HUBSPOT.search_max_limit)
        filters = [{"propertyName": prop, "operator": "GTE", "value": epoch_ms(cursor.query_start)}
                   ] if cursor.query_start else []
        if cursor.end is not None:
            filters.append({"propertyName": prop, "operator": "LTE", "value": epoch_ms(cursor.end)})
        body: dict[str, Any] = {"filterGroups": [{"filters": filters}] if filters else [],
                                "sorts": [{"propertyName": prop, "direction": "ASCENDING"}], "limit": limit}
        if req.fields:
            body["properties"] = property_names(req.fields)
        if cursor.token:
            body["after"] = cursor.token
        # https://developers.hubspot.com/docs/api/crm/search (POST /crm/v3/objects/{objectType}/search)
        raw = await self._http.json("POST", self._conn.objects_url(req.entity, "/search"), json=body,
                                    idempotent=True)
        result = parse_model(raw, CollectionResponse, "hubspot")
        records = past_boundary((to_record(r) for r in result.results), cursor)
        high = advance(cursor, records)
        return Page(records=records, next_cursor=self._next_search(cursor, high, result, limit),
                    checkpoint=self._settled(high), limits=self._http.last_limits)

    def _next_search(
        self, cursor: Cursor, high: Cursor, result: CollectionResponse, limit: int
    ) -> Cursor | None:
        if not result.after:
            return None
        offset = cursor.offset + len(result.results)
        if offset + limit > HUBSPOT.search_result_cap and high.start != cursor.query_start:
            # Re-window: a new query from the high-water mark, whose boundary ids are skipped.
            return high.model_copy(update={"phase": SEARCH, "query_start": high.start, "offset": 0})
        return high.model_copy(update={"phase": SEARCH, "query_start": cursor.query_start,
                                       "token": result.after, "offset": offset})

    @staticmethod
    def _settled(high: Cursor) -> Cursor:
        """A checkpoint with at least the search-index lag, so late-indexed writes are re-read."""
        return high.model_copy(update={"lag_seconds": max(high.lag_seconds, HUBSPOT.search_lag_seconds)})
