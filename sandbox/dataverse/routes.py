"""Dataverse Web API routes: collections (paging, change tracking), rows, create, update/upsert, delete.

https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/page-results
https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems
https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from aiohttp import web

from sandbox.context import CLOCK, COUNTERS, DATAVERSE, OPTIONS
from sandbox.dataverse import odata
from sandbox.dataverse.errors import ExpiredVersionStamp, InvalidArgument
from sandbox.dataverse.records import DvRecord, EntityTable
from sandbox.dataverse.state import PageCursor
from sandbox.jsonio import json_response, read_json

MAX_PAGE = 5_000
TRACKING_DAYS = 7  # ExpireChangeTrackingInDays default
V = r"/v{ver:\d+\.\d+}"
ROW = V + r"/{set:[a-z_]+}({id:[^)]+})"
routes = web.RouteTableDef()


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}/api/data/v{request.match_info['ver']}"


def _preferences(request: web.Request) -> dict[str, str]:
    prefs: dict[str, str] = {}
    for item in request.headers.get("Prefer", "").split(","):
        key, _, value = item.strip().partition("=")
        if key:
            prefs[key.lower()] = value.strip('"')
    return prefs


def _delta_rows(table: EntityTable, token: str, now_ms: int) -> list[DvRecord | str]:
    version_text, _, issued = token.partition("!")
    if not version_text.isdigit() or not issued.isdigit():
        raise InvalidArgument("The delta token is invalid.")
    if now_ms - int(issued) > TRACKING_DAYS * 86_400_000:
        raise ExpiredVersionStamp("The change tracking token has expired; re-initialize the synchronization.")
    since = int(version_text)
    changed: list[DvRecord | str] = [r for r in table if r.version > since]
    return changed + [record_id for record_id, version in table.deleted.items() if version > since]


def _page(request: web.Request, token: str, cursor: PageCursor, offset: int, size: int) -> web.Response:
    table = request.config_dict[DATAVERSE].table(cursor.set_name)
    base, chunk = _base(request), cursor.rows[offset:offset + size]
    context = f"{base}/$metadata#{cursor.set_name}" + (f"({','.join(cursor.select)})" if cursor.select else "")
    values: list[dict[str, Any]] = [
        odata.row(table.spec, r, cursor.select) if isinstance(r, DvRecord)
        else {"@odata.context": f"{base}/$metadata#{cursor.set_name}/$deletedEntity", "id": r, "reason": "deleted"}
        for r in chunk
    ]
    body: dict[str, Any] = {"@odata.context": context, "value": values}
    select = f"$select={','.join(cursor.select)}&" if cursor.select else ""
    if offset + size < len(cursor.rows):
        body["@odata.nextLink"] = f"{base}/{cursor.set_name}?{select}$skiptoken={token}-{offset + size}"
    elif cursor.delta_version is not None:
        issued = int(request.config_dict[CLOCK].time() * 1000)
        delta = quote(f"{cursor.delta_version}!{issued}", safe="")
        body["@odata.deltaLink"] = f"{base}/{cursor.set_name}?{select}$deltatoken={delta}"
    request.config_dict[COUNTERS].records_served["dataverse"] += len(chunk)
    applied = f"odata.maxpagesize={size}" + (", odata.track-changes" if cursor.delta_version is not None else "")
    return json_response(body, headers={"Preference-Applied": applied})


@routes.get(V + "/{set:[a-z_]+}")
async def collection(request: web.Request) -> web.Response:
    """A page of rows: first query, `$skiptoken` continuation, or `$deltatoken` changes."""
    state, query = request.config_dict[DATAVERSE], request.query
    table = state.table(request.match_info["set"])
    prefs = _preferences(request)
    size_text = prefs.get("odata.maxpagesize", str(MAX_PAGE))
    size = min(int(size_text) if size_text.isdigit() else MAX_PAGE, request.config_dict[OPTIONS].page_cap(MAX_PAGE))
    if "$skiptoken" in query:
        token, _, offset = query["$skiptoken"].rpartition("-")
        if not offset.isdigit():
            raise InvalidArgument("The paging cookie is invalid or expired.")
        return _page(request, token, state.cursor(token), int(offset), size)
    select = odata.select(table.spec, query.get("$select"))
    version_now = state.versions.current
    if "$deltatoken" in query:
        changes = _delta_rows(table, query["$deltatoken"], int(request.config_dict[CLOCK].time() * 1000))
        cursor = PageCursor(table.spec.set_name, select, changes, version_now)
    else:
        tracking = "odata.track-changes" in prefs
        if tracking and any(k in query for k in ("$filter", "$orderby", "$top")):
            raise InvalidArgument("$filter, $orderby and $top are not supported with change tracking.")
        records: list[DvRecord] = list(table)
        if "$filter" in query:
            match = odata.predicate(table.spec, query["$filter"])
            records = [r for r in records if match(r)]
        if "$orderby" in query:
            odata.sort(table.spec, records, query["$orderby"])
        if query.get("$top", "").isdigit():
            records = records[:int(query["$top"])]
        rows: list[DvRecord | str] = list(records)
        cursor = PageCursor(table.spec.set_name, select, rows, version_now if tracking else None)
    return _page(request, state.open_cursor(cursor), cursor, 0, size)


def _representation(request: web.Request, table: EntityTable, record: DvRecord, status: int) -> web.Response:
    entity_id = f"{_base(request)}/{table.spec.set_name}({record.id})"
    if "return=representation" in request.headers.get("Prefer", ""):
        return json_response(odata.row(table.spec, record, None), status=status,
                             headers={"Preference-Applied": "return=representation", "OData-EntityId": entity_id,
                                      "ETag": record.etag})
    return web.Response(status=204, headers={"OData-EntityId": entity_id})


@routes.get(ROW)
async def read(request: web.Request) -> web.Response:
    table = request.config_dict[DATAVERSE].table(request.match_info["set"])
    record = table.get(request.match_info["id"])
    body = odata.row(table.spec, record, odata.select(table.spec, request.query.get("$select")))
    return json_response(body, headers={"ETag": record.etag})


@routes.post(V + "/{set:[a-z_]+}")
async def create(request: web.Request) -> web.Response:
    table = request.config_dict[DATAVERSE].table(request.match_info["set"])
    body = await read_json(request)
    values = table.normalize(body)
    record_id = body.get(table.spec.key) if isinstance(body, dict) else None
    record = table.create(str(record_id or uuid.uuid4()), values)
    return _representation(request, table, record, 201)


@routes.patch(ROW)
async def update(request: web.Request) -> web.Response:
    """With `If-Match` an update of an existing row; without it an upsert (creates with the given id);
    `If-None-Match: *` makes it create-only."""
    table = request.config_dict[DATAVERSE].table(request.match_info["set"])
    values = table.normalize(await read_json(request))
    record_id = request.match_info["id"].lower()
    if_match = request.headers.get("If-Match")
    exists = record_id in table.records
    if not exists and if_match is None:
        return _representation(request, table, table.create(record_id, values), 201)
    if request.headers.get("If-None-Match") == "*" and exists:
        table.create(record_id, values)  # raises DuplicateRecord
    record = table.update(record_id, values, if_match)
    return _representation(request, table, record, 200)


@routes.delete(ROW)
async def delete(request: web.Request) -> web.Response:
    table = request.config_dict[DATAVERSE].table(request.match_info["set"])
    table.delete(request.match_info["id"], request.headers.get("If-Match"))
    return web.Response(status=204)
