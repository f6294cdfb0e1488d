"""sObject rows: create, read, update (with `If-Unmodified-Since`), delete, and upsert by external id.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_basic_info.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_ifunmodifiedsince.htm
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from aiohttp import web

from sandbox.clock import parse_datetime_ms
from sandbox.context import SALESFORCE
from sandbox.jsonio import json_response, read_json
from sandbox.salesforce.errors import InvalidField, InvalidHeader, NotFound
from sandbox.salesforce.records import SfRecord, SObjectTable
from sandbox.salesforce.state import SalesforceState

routes = web.RouteTableDef()
V = r"/v{ver:\d+\.\d+}"


def _table(request: web.Request) -> tuple[SalesforceState, SObjectTable]:
    sf = request.config_dict[SALESFORCE]
    return sf, sf.table(request.match_info["obj"])


def _precondition(request: web.Request) -> Callable[[SfRecord], bool] | None:
    """`If-Unmodified-Since`: an HTTP-date (second resolution, as the header is specified) or, as a sandbox
    extension, an ISO 8601 instant with milliseconds for an exact comparison with LastModifiedDate."""
    header = request.headers.get("If-Unmodified-Since")
    if header is None:
        return None
    try:
        limit_ms = round(parsedate_to_datetime(header).timestamp() * 1000)
        return lambda r: r.modstamp // 1000 * 1000 <= limit_ms
    except (TypeError, ValueError):
        pass
    try:
        limit_ms = parse_datetime_ms(header)
    except ValueError as exc:
        raise InvalidHeader(f"If-Unmodified-Since is not a date: {header}") from exc
    return lambda r: r.modstamp <= limit_ms


def _record_body(request: web.Request, record: SfRecord, sobject: str) -> dict[str, Any]:
    url = f"/services/data/v{request.match_info['ver']}/sobjects/{sobject}/{record.id}"
    values = record.api_values()
    wanted = request.query.get("fields")
    if wanted:
        names = [n.strip() for n in wanted.split(",") if n.strip()]
        values = {n: values[n] for n in names if n in values}
    return {"attributes": {"type": sobject, "url": url}, **values}


def _external_field(table: SObjectTable, raw: str) -> str:
    name = table.canonical_field(raw)
    if name is None or name not in table.spec.external_ids:
        raise NotFound(f"Provided external ID field does not exist or is not accessible: {raw}")
    return name


def _by_external_id(request: web.Request) -> tuple[SObjectTable, SfRecord]:
    """The record the URL's `{field}/{value}` names; NOT_FOUND when there is none."""
    _, table = _table(request)
    record = table.find_external(_external_field(table, request.match_info["field"]), request.match_info["value"])
    if record is None:
        raise NotFound("The requested resource does not exist")
    return table, record


@routes.post(V + "/sobjects/{obj}")
@routes.post(V + "/sobjects/{obj}/")
async def create(request: web.Request) -> web.Response:
    _, table = _table(request)
    record = table.create(table.normalize(await read_json(request)))
    return json_response({"id": record.id, "success": True, "errors": []}, status=201)


@routes.get(V + "/sobjects/{obj}/{id}")
async def read(request: web.Request) -> web.Response:
    _, table = _table(request)
    record = table.records.get(request.match_info["id"])
    if record is None or record.deleted:
        raise NotFound("The requested resource does not exist")
    return json_response(_record_body(request, record, table.spec.name))


@routes.patch(V + "/sobjects/{obj}/{id}")
async def update(request: web.Request) -> web.Response:
    _, table = _table(request)
    table.update(request.match_info["id"], table.normalize(await read_json(request)), _precondition(request))
    return web.Response(status=204)


@routes.delete(V + "/sobjects/{obj}/{id}")
async def delete(request: web.Request) -> web.Response:
    _, table = _table(request)
    table.delete(request.match_info["id"], _precondition(request))
    return web.Response(status=204)


@routes.patch(V + "/sobjects/{obj}/{field}/{value}")
async def upsert(request: web.Request) -> web.Response:
    """Idempotent create: 201 when the external id was new, 204 when the existing record was updated."""
    _, table = _table(request)
    field = _external_field(table, request.match_info["field"])
    changes = table.normalize(await read_json(request))
    if changes.pop(field, request.match_info["value"]) != request.match_info["value"]:
        raise InvalidField(f"The external id field {field} in the body does not match the URL", [field])
    record, created = table.upsert(field, request.match_info["value"], changes, _precondition(request))
    if created:
        return json_response({"id": record.id, "success": True, "errors": [], "created": True}, status=201)
    return web.Response(status=204)


@routes.get(V + "/sobjects/{obj}/{field}/{value}")
async def read_by_external_id(request: web.Request) -> web.Response:
    table, record = _by_external_id(request)
    return json_response(_record_body(request, record, table.spec.name))


@routes.delete(V + "/sobjects/{obj}/{field}/{value}")
async def delete_by_external_id(request: web.Request) -> web.Response:
    table, record = _by_external_id(request)
    table.delete(record.id, _precondition(request))
    return web.Response(status=204)
