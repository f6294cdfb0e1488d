"""CRM v3 object routes: list (`after` paging, `archived`), search, read, create, update, archive.

https://developers.hubspot.com/docs/api/crm/understanding-the-crm (objects API reference)
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.clock import iso_datetime
from sandbox.context import CLOCK, COUNTERS, OPTIONS
from sandbox.context import HUBSPOT as HUBSPOT_KEY
from sandbox.hubspot import search
from sandbox.hubspot.errors import ObjectNotFound, ValidationError
from sandbox.hubspot.records import HsRecord, ObjectTable
from sandbox.jsonio import json_response, read_json

LIST_MAX = 100
BATCH_MAX = 100
ALWAYS = ("createdate", "hs_lastmodifieddate", "hs_object_id")
routes = web.RouteTableDef()


def _table(request: web.Request) -> ObjectTable:
    return request.config_dict[HUBSPOT_KEY].table(request.match_info["type"])


def _properties(table: ObjectTable, requested: list[str]) -> list[str]:
    """Requested properties plus the ones HubSpot always returns; the type's defaults when none asked."""
    names = [n.strip() for raw in requested for n in raw.split(",") if n.strip()]
    if not names:
        return list(table.spec.defaults)
    return list(dict.fromkeys([*names, *ALWAYS]))


def _served(request: web.Request, count: int) -> None:
    request.config_dict[COUNTERS].records_served["hubspot"] += count


def _record(request: web.Request, table: ObjectTable, *, archived_ok: bool = False) -> HsRecord:
    raw, id_property = request.match_info["id"], request.query.get("idProperty")
    if id_property and id_property != "hs_object_id":
        return table.by_unique(id_property, raw)
    record = table.records.get(int(raw)) if raw.isdigit() else None
    if record is None or (record.archived and not archived_ok):
        raise ObjectNotFound("resource not found")
    return record


@routes.get("/objects/{type}")
async def list_objects(request: web.Request) -> web.Response:
    """Records in id order; `after` is the id to start from; `archived=true` lists only archived ones."""
    table = _table(request)
    try:
        limit = int(request.query.get("limit", "10"))
        start = int(request.query.get("after", "0"))
    except ValueError as exc:
        raise ValidationError("limit and after must be integers") from exc
    limit = max(1, min(limit, request.config_dict[OPTIONS].page_cap(LIST_MAX)))
    archived = request.query.get("archived", "false").lower() == "true"
    names = _properties(table, request.query.getall("properties", []))
    results: list[dict[str, Any]] = []
    next_after: int | None = None
    for record_id in table.ids[table.after(start):]:
        record = table.records[record_id]
        if record.archived != archived:
            continue
        if len(results) == limit:
            next_after = record_id
            break
        results.append(record.to_api(names))
    body: dict[str, Any] = {"results": results}
    if next_after is not None:
        link = f"{request.url.with_query({**request.query, 'after': str(next_after)})}"
        body["paging"] = {"next": {"after": str(next_after), "link": link}}
    _served(request, len(results))
    return json_response(body)


@routes.post("/objects/{type}/search")
async def search_objects(request: web.Request) -> web.Response:
    """Live records matching the filterGroups, sorted, in offset pages of at most 200, 10,000 at most."""
    table = _table(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ValidationError("Invalid input JSON")
    match = search.predicate(body)
    rows = [r for r in table if not r.archived and match(r)]
    lag = request.config_dict[OPTIONS].hubspot_search_lag
    if lag:
        # HubSpot indexes writes for search 10-60 s late: a record written within the lag is not found yet.
        indexed_until = int((request.config_dict[CLOCK].time() - lag) * 1000)
        rows = [r for r in rows if r.updated <= indexed_until]
    search.sort(rows, body.get("sorts"))
    offset, count = search.window(body, len(rows))
    count = min(count, request.config_dict[OPTIONS].page_cap(search.MAX_LIMIT))
    names = _properties(table, body.get("properties") or [])
    out: dict[str, Any] = {"total": len(rows), "results": [r.to_api(names) for r in rows[offset:offset + count]]}
    end = offset + count
    if end < len(rows) and end < search.RESULT_CAP:
        out["paging"] = {"next": {"after": str(end), "link": f"?after={end}"}}
    _served(request, count)
    return json_response(out)


@routes.get("/objects/{type}/{id}")
async def read(request: web.Request) -> web.Response:
    table = _table(request)
    archived = request.query.get("archived", "false").lower() == "true"
    record = _record(request, table, archived_ok=archived)
    return json_response(record.to_api(_properties(table, request.query.getall("properties", []))))


async def _properties_body(request: web.Request, table: ObjectTable) -> dict[str, str | None]:
    body = await read_json(request)
    if not isinstance(body, dict) or "properties" not in body:
        raise ValidationError("Invalid input JSON: expected {\"properties\": {...}}")
    return table.normalize(body["properties"])


@routes.post("/objects/{type}")
async def create(request: web.Request) -> web.Response:
    table = _table(request)
    record = table.create(await _properties_body(request, table))
    return json_response(record.to_api(list(dict.fromkeys([*table.spec.properties, *ALWAYS]))), status=201)


@routes.patch("/objects/{type}/{id}")
async def update(request: web.Request) -> web.Response:
    table = _table(request)
    current = _record(request, table)
    record = table.update(current.id, await _properties_body(request, table))
    return json_response(record.to_api(list(dict.fromkeys([*table.spec.properties, *ALWAYS]))))


@routes.delete("/objects/{type}/{id}")
async def archive(request: web.Request) -> web.Response:
    table = _table(request)
    record = _record(request, table, archived_ok=True)
    if not record.archived:
        table.archive(record.id)
    return web.Response(status=204)


@routes.post("/objects/{type}/batch/upsert")
async def batch_upsert(request: web.Request) -> web.Response:
    """Create or update by a unique property (`idProperty`): the idempotent create. Results carry `new`."""
    table = _table(request)
    body = await read_json(request)
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not inputs or len(inputs) > BATCH_MAX:
        raise ValidationError(f"inputs must be a list of 1 to {BATCH_MAX} objects")
    planned = []
    for item in inputs:  # validate the whole batch before writing any of it
        if not isinstance(item, dict) or not item.get("idProperty") or not item.get("id"):
            raise ValidationError("each input needs idProperty, id and properties")
        props = table.normalize(item.get("properties") or {})
        name, value = str(item["idProperty"]), str(item["id"])
        planned.append((name, value, props, table.find_unique(name, value)))
    started = iso_datetime(int(request.config_dict[CLOCK].time() * 1000))
    names = list(dict.fromkeys([*table.spec.properties, *ALWAYS]))
    results = []
    for name, value, props, existing in planned:
        record = (table.update(existing.id, props) if existing is not None
                  else table.create({**props, name: value}))
        results.append({**record.to_api(names), "new": existing is None})
    return json_response({"status": "COMPLETE", "results": results, "startedAt": started,
                          "completedAt": iso_datetime(int(request.config_dict[CLOCK].time() * 1000))})
