"""getUpdated and getDeleted (the replication resources, with their look-back limits), and limits.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
"""

from __future__ import annotations

from aiohttp import web

from sandbox.clock import parse_datetime_ms, salesforce_datetime
from sandbox.context import CLOCK, OPTIONS, SALESFORCE
from sandbox.jsonio import json_response
from sandbox.salesforce.errors import SalesforceError

routes = web.RouteTableDef()
V = r"/v{ver:\d+\.\d+}"
DAY_MS = 86_400_000
UPDATED_DAYS, DELETED_DAYS = 30, 15
ID_LIMIT = 600_000


class InvalidReplicationDate(SalesforceError):
    code = "INVALID_REPLICATION_DATE"


class ExceededIdLimit(SalesforceError):
    code = "EXCEEDED_ID_LIMIT"


def _window(request: web.Request, days: int) -> tuple[int, int, int]:
    """(start, end, earliest available) in epoch ms from the `start`/`end` parameters."""
    try:
        start = parse_datetime_ms(request.query["start"])
        end = parse_datetime_ms(request.query["end"])
    except (KeyError, ValueError) as exc:
        raise InvalidReplicationDate("start and end must be ISO 8601 dateTimes") from exc
    now = int(request.config_dict[CLOCK].time() * 1000)
    earliest = now - days * DAY_MS
    if start >= end:
        raise InvalidReplicationDate("start must be before end")
    if start < earliest:
        raise InvalidReplicationDate(f"start must be within the last {days} days")
    return start, min(end, now), earliest


@routes.get(V + "/sobjects/{obj}/updated/")
async def get_updated(request: web.Request) -> web.Response:
    """Ids of live records whose SystemModstamp is in [start, end)."""
    start, end, _ = _window(request, UPDATED_DAYS)
    table = request.config_dict[SALESFORCE].table(request.match_info["obj"])
    ids = [r.id for r in table if not r.deleted and start <= r.modstamp < end]
    if len(ids) > ID_LIMIT:
        raise ExceededIdLimit("too many ids; narrow the window")
    return json_response({"ids": ids, "latestDateCovered": salesforce_datetime(end)})


@routes.get(V + "/sobjects/{obj}/deleted/")
async def get_deleted(request: web.Request) -> web.Response:
    """Records deleted in [start, end): soft deletion stamps the record's SystemModstamp."""
    start, end, earliest = _window(request, DELETED_DAYS)
    table = request.config_dict[SALESFORCE].table(request.match_info["obj"])
    deleted = [{"id": r.id, "deletedDate": r.modstamp_str()} for r in table
               if r.deleted and start <= r.modstamp < end]
    if len(deleted) > ID_LIMIT:
        raise ExceededIdLimit("too many ids; narrow the window")
    return json_response({"deletedRecords": deleted, "earliestDateAvailable": salesforce_datetime(earliest),
                          "latestDateCovered": salesforce_datetime(end)})


@routes.get(V + "/limits")
async def limits(request: web.Request) -> web.Response:
    """The org's limits resource (the daily API request allowance only).

    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
    """
    daily_limit = request.config_dict[OPTIONS].daily_limit
    used = request.config_dict[SALESFORCE].gate.quota.current()
    return json_response({"DailyApiRequests": {"Max": daily_limit, "Remaining": max(daily_limit - used, 0)}})
