"""Gong reads: users as a cursor-paged list; calls by ``[fromDateTime, toDateTime)`` windows.

A calls round fixes ``toDateTime`` when it starts (carried in ``Cursor.end`` between pages), reads
from ``start`` minus the lag (at least the spec's processing lag), and moves the checkpoint to
``toDateTime`` once the last page is read: ``toDateTime`` is exclusive, so that boundary is closed.
Calls re-read inside the lag are deduplicated downstream. A full read omits ``fromDateTime``
("list starts with earliest call").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from adapters.base import Cursor, ExternalRecord, FetchRequest, Page
from adapters.gong.paginate import RecordsCursorPaginator
from adapters.gong.spec import EntitySpec
from adapters.http.session import ProviderHttp, read_object
from adapters.incremental import parse_timestamp, past_boundary
from core.errors import MalformedResponse, ResyncRequired

PROVIDER = "gong"


def iso(value: datetime) -> str:
    """An ISO-8601 UTC timestamp as Gong documents it (``2018-02-18T08:00:00Z``)."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def records(body: dict[str, Any], spec: EntitySpec) -> list[ExternalRecord]:
    """The items of a page as records (Gong objects carry no version)."""
    items = body.get(spec.items_key)
    if not isinstance(items, list):
        raise MalformedResponse(f"Gong page has no {spec.items_key!r} array", provider=PROVIDER)
    out = []
    for item in items:
        key = item.get("id") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            raise MalformedResponse("Gong item without an id", provider=PROVIDER)
        modified = parse_timestamp(item.get(spec.modified_field)) if spec.modified_field else None
        out.append(ExternalRecord(id=key, modified_at=modified, data=item))
    return out


async def _page(
    http: ProviderHttp, url: str, params: dict[str, str], paginator: RecordsCursorPaginator
) -> dict[str, Any] | None:
    """A decoded page, or ``None`` for Gong's empty-result 404."""
    request = httpx.Request("GET", url, params=params)
    paginator.init_request(request)
    response = await http.request("GET", str(request.url))
    if response.status_code == 404:  # classify let only the "No calls found" 404 through
        paginator.has_next_page = False
        return None
    body = read_object(response, PROVIDER, "Gong page")
    paginator.update_state(response, body)
    return body


async def list_page(http: ProviderHttp, spec: EntitySpec, url: str, req: FetchRequest) -> Page:
    """One page of a full list (users)."""
    token = req.cursor.token if req.cursor else None
    paginator = RecordsCursorPaginator(token)
    try:
        # https://help.gong.io/apidocs (GET /v2/users)
        body = await _page(http, url, {}, paginator)
    except ResyncRequired:
        if not token:
            raise
        return Page(resync_required=True, checkpoint=Cursor(), limits=http.last_limits)
    found = records(body, spec) if body is not None else []
    nxt = Cursor(token=paginator.cursor) if paginator.has_next_page else None
    return Page(records=found, next_cursor=nxt, checkpoint=nxt or Cursor(), limits=http.last_limits)


async def window_page(
    http: ProviderHttp, spec: EntitySpec, url: str, req: FetchRequest, now: datetime, workspace_id: str | None
) -> Page:
    """One page of a calls window."""
    cursor = req.cursor or Cursor()
    end = cursor.end or now
    if cursor.token:
        lower = cursor.query_start
    elif cursor.start is not None:
        lower = cursor.start - timedelta(seconds=max(cursor.lag_seconds, spec.min_lag_seconds))
    else:
        lower = None
    params = {"toDateTime": iso(end)}
    if lower is not None:
        params["fromDateTime"] = iso(lower)
    if workspace_id:
        params["workspaceId"] = workspace_id
    paginator = RecordsCursorPaginator(cursor.token)
    # https://help.gong.io/apidocs (GET /v2/calls: fromDateTime inclusive, toDateTime exclusive)
    body = await _page(http, url, params, paginator)
    found = past_boundary(records(body, spec) if body is not None else [], cursor)
    round_start = Cursor(start=cursor.start, boundary_ids=cursor.boundary_ids, lag_seconds=cursor.lag_seconds)
    if paginator.has_next_page:
        nxt = round_start.model_copy(update={"token": paginator.cursor, "end": end, "query_start": lower})
        return Page(records=found, next_cursor=nxt, checkpoint=round_start, limits=http.last_limits)
    return Page(records=found, checkpoint=Cursor(start=end, lag_seconds=cursor.lag_seconds), limits=http.last_limits)
