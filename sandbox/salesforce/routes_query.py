"""`query` and `queryAll`, with queryMore paging through `nextRecordsUrl`.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
"""

from __future__ import annotations

from aiohttp import web

from sandbox.context import COUNTERS, OPTIONS, SALESFORCE
from sandbox.salesforce.errors import InvalidQueryLocator, MalformedQuery
from sandbox.salesforce.query import select
from sandbox.salesforce.render import Projector
from sandbox.salesforce.soql import parse
from sandbox.salesforce.state import QueryCursor

MIN_BATCH, MAX_BATCH = 200, 2_000
routes = web.RouteTableDef()


def batch_size(request: web.Request, default: int | None = None) -> int:
    """`Sforce-Query-Options: batchSize=N` clamped to 200..2000 (then to the sandbox's page-size cap)."""
    size = default or MAX_BATCH
    for option in request.headers.get("Sforce-Query-Options", "").split(","):
        key, _, value = option.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            size = min(max(int(value), MIN_BATCH), MAX_BATCH)
    return min(size, request.config_dict[OPTIONS].page_cap(MAX_BATCH))


def _page(request: web.Request, cursor: QueryCursor, locator: str | None, offset: int, version: str) -> web.Response:
    size = batch_size(request, cursor.batch_size)
    chunk = cursor.rows[offset:offset + size]
    end = offset + len(chunk)
    head = f'{{"totalSize":{len(cursor.rows)},"done":{"true" if end >= len(cursor.rows) else "false"}'
    if end < len(cursor.rows):
        if locator is None:
            locator = request.config_dict[SALESFORCE].open_cursor(cursor)
        head += f',"nextRecordsUrl":"/services/data/v{version}/query/{locator}-{end}"'
    text = head + ',"records":[' + ",".join([cursor.render(r) for r in chunk]) + "]}"
    request.config_dict[COUNTERS].records_served["salesforce"] += len(chunk)
    return web.Response(body=text.encode(), content_type="application/json", charset="utf-8")


async def _run(request: web.Request, include_deleted: bool) -> web.Response:
    text = request.query.get("q")
    if not text:
        raise MalformedQuery("the q parameter is required")
    sf, version = request.config_dict[SALESFORCE], request.match_info["ver"]
    query = parse(text)
    table, rows = select(sf, query, include_deleted)
    cursor = QueryCursor(Projector(sf, table, query.fields, version).render, rows, batch_size(request))
    return _page(request, cursor, None, 0, version)


@routes.get(r"/v{ver:\d+\.\d+}/query")
async def query(request: web.Request) -> web.Response:
    """Live records only."""
    return await _run(request, include_deleted=False)


@routes.get(r"/v{ver:\d+\.\d+}/queryAll")
async def query_all(request: web.Request) -> web.Response:
    """Live and soft-deleted records (`IsDeleted: true`)."""
    return await _run(request, include_deleted=True)


@routes.get(r"/v{ver:\d+\.\d+}/query/{next:[^/]+}")
@routes.get(r"/v{ver:\d+\.\d+}/queryAll/{next:[^/]+}")
async def query_more(request: web.Request) -> web.Response:
    """The next batch of an open cursor: `{locator}-{offset}`."""
    locator, _, offset = request.match_info["next"].rpartition("-")
    if not locator or not offset.isdigit():
        raise InvalidQueryLocator("invalid query locator")
    cursor = request.config_dict[SALESFORCE].cursor(locator)
    return _page(request, cursor, locator, int(offset), request.match_info["ver"])
