"""One page of a SOQL read: the first request, ``nextRecordsUrl`` continuation, cursor bookkeeping.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidatorFunctionWrapHandler, field_validator

from adapters.base import Cursor, ExternalRecord, FetchMode, FetchRequest, Page
from adapters.http.session import ProviderHttp, parse_model
from adapters.incremental import advance, parse_timestamp, past_boundary, query_floor
from adapters.salesforce.soql import build_query
from adapters.salesforce.spec import SALESFORCE, SalesforceConnection
from core.errors import MalformedResponse, ResyncRequired


class QueryResult(BaseModel):
    """``GET .../query`` response: ``{"totalSize", "done", "nextRecordsUrl"?, "records"}``."""

    totalSize: int  # noqa: N815 - the provider's field name
    done: bool
    nextRecordsUrl: str | None = None  # noqa: N815
    records: list[dict[str, Any]]

    @field_validator("records", mode="wrap")
    @classmethod
    def _rows_as_decoded(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # Decoded JSON objects are dicts with string keys: a list of them is kept as it is, not copied row by
        # row (2,000 rows a page); anything else goes through the declared type and fails as it always did.
        if type(value) is list and all(type(row) is dict for row in value):
            return value
        return handler(value)


def to_record(raw: dict[str, Any], modified_field: str) -> ExternalRecord:
    """A query row as an ExternalRecord: ``Id``, the cursor field, ``LastModifiedDate`` as version."""
    record_id = raw.get(SALESFORCE.id_field)
    if not isinstance(record_id, str) or not record_id:
        raise MalformedResponse("query row without an Id", provider="salesforce")
    version = raw.get(SALESFORCE.version_field)
    return ExternalRecord(
        id=record_id,
        version=version if isinstance(version, str) else None,
        modified_at=parse_timestamp(raw.get(modified_field)),
        data=raw,
    )


class SoqlPager:
    """Reads pages for one connection; ``include deletions`` means ``queryAll`` plus ``IsDeleted``."""

    def __init__(self, http: ProviderHttp, connection: SalesforceConnection) -> None:
        self._http = http
        self._conn = connection

    def _first_cursor(self, req: FetchRequest) -> tuple[Cursor, bool]:
        """The cursor a fresh query starts from, and whether it reads deletions (incremental only)."""
        cursor = req.cursor or Cursor()
        if req.mode is FetchMode.FULL:
            cursor = Cursor(lag_seconds=cursor.lag_seconds, end=cursor.end)
        return cursor, req.mode is FetchMode.INCREMENTAL and cursor.start is not None

    async def _query(self, req: FetchRequest, cursor: Cursor, include_deleted: bool) -> Any:
        soql = build_query(req.entity, req.fields, self._conn.modified_field, query_floor(cursor),
                           cursor.end, include_deleted)
        batch = min(max(req.page_size, SALESFORCE.min_batch), SALESFORCE.max_batch)
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
        # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
        resource = "/queryAll" if include_deleted else "/query"
        return await self._http.json("GET", self._conn.data_url(resource), params={"q": soql},
                                     headers={"Sforce-Query-Options": f"batchSize={batch}"})

    async def fetch(self, req: FetchRequest) -> Page:
        """One page; an expired query locator restarts the query from the cursor's high-water mark."""
        cursor = req.cursor
        if cursor is not None and cursor.token:
            try:
                # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
                # (nextRecordsUrl: "Query More Results", GET with no parameters)
                body = await self._http.json("GET", self._conn.absolute(cursor.token))
                include_deleted = cursor.phase == "queryAll"
            except ResyncRequired:  # INVALID_QUERY_LOCATOR: locators expire; the high-water mark does not
                cursor = cursor.model_copy(update={"token": None, "phase": None})
                include_deleted = req.mode is FetchMode.INCREMENTAL and cursor.start is not None
                body = await self._query(req, cursor, include_deleted)
        else:
            cursor, include_deleted = self._first_cursor(req)
            body = await self._query(req, cursor, include_deleted)
        return self._page(parse_model(body, QueryResult, "salesforce"), cursor, include_deleted)

    def _page(self, result: QueryResult, cursor: Cursor, include_deleted: bool) -> Page:
        modified_field, deleted_field = self._conn.modified_field, SALESFORCE.deleted_field
        rows = past_boundary([to_record(r, modified_field) for r in result.records], cursor)
        floor = query_floor(cursor)
        if floor is not None:  # SOQL literals have whole seconds: drop what the floored literal let in before it
            rows = [row for row in rows if row.modified_at is None or row.modified_at >= floor]
        deleted: list[str] = []
        live: list[ExternalRecord] = []
        for row in rows:
            if row.data.get(deleted_field) is True:
                deleted.append(row.id)
            else:
                live.append(row)
        high = advance(cursor, rows)
        more = not result.done and bool(result.nextRecordsUrl)
        next_cursor = (
            high.model_copy(update={"token": result.nextRecordsUrl,
                                    "phase": "queryAll" if include_deleted else None})
            if more else None
        )
        return Page(records=live, deleted_ids=deleted, next_cursor=next_cursor, checkpoint=high,
                    limits=self._http.last_limits)
