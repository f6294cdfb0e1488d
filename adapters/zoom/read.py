"""Zoom reads: plain ``next_page_token`` lists, and recordings by date windows.

Users and meetings have no change filter: every read is a full read (deletions are found by the
engine's full-sync comparison, or by ``meeting.deleted`` webhooks). Recordings take ``from``/``to``
dates, both inclusive, a month at most per query. A window read goes page by page; when a window
ends before today the next window starts the day after it, and the checkpoint moves there (every
recording that started before it has been delivered). The last window ends at the read time.
Windows are day-granular and re-read ``min_lag_seconds`` back, since recordings appear only once
processed; the re-read records are deduplicated downstream.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from adapters.base import Cursor, ExternalRecord, FetchRequest, Page
from adapters.http.session import ProviderHttp, read_object
from adapters.incremental import parse_timestamp, past_boundary
from adapters.zoom.paginate import NextPageTokenPaginator
from adapters.zoom.spec import EntitySpec
from core.errors import MalformedResponse, ResyncRequired

PROVIDER = "zoom"


def records(body: dict[str, Any], spec: EntitySpec) -> list[ExternalRecord]:
    """The items of a list page as records (Zoom objects carry no version)."""
    items = body.get(spec.items_key)
    if not isinstance(items, list):
        raise MalformedResponse(f"Zoom page has no {spec.items_key!r} array", provider=PROVIDER)
    out = []
    for item in items:
        key = item.get(spec.id_field) if isinstance(item, dict) else None
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise MalformedResponse(f"Zoom item without {spec.id_field!r}", provider=PROVIDER)
        modified = parse_timestamp(item.get(spec.modified_field)) if spec.modified_field else None
        out.append(ExternalRecord(id=str(key), modified_at=modified, data=item))
    return out


async def _page(
    http: ProviderHttp,
    url: str,
    params: dict[str, str],
    paginator: NextPageTokenPaginator,
) -> dict[str, Any]:
    request = httpx.Request("GET", url, params=params)
    paginator.init_request(request)
    response = await http.request("GET", str(request.url))
    body = read_object(response, PROVIDER, "Zoom page")
    paginator.update_state(response, body)
    return body


async def list_page(http: ProviderHttp, spec: EntitySpec, url: str, req: FetchRequest) -> Page:
    """One page of a full list (users, meetings)."""
    token = req.cursor.token if req.cursor else None
    paginator = NextPageTokenPaginator(min(req.page_size, spec.max_page_size), token)
    try:
        # https://developers.zoom.us/docs/api/users/#tag/users/GET/users (and /users/{userId}/meetings)
        body = await _page(http, url, dict(spec.fixed_params), paginator)
    except ResyncRequired:
        if not token:
            raise
        return Page(resync_required=True, checkpoint=Cursor(), limits=http.last_limits)
    nxt = Cursor(token=paginator.token) if paginator.has_next_page else None
    return Page(records=records(body, spec), next_cursor=nxt, checkpoint=nxt or Cursor(), limits=http.last_limits)


def _midnight(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def window_page(
    http: ProviderHttp, spec: EntitySpec, url: str, req: FetchRequest, now: datetime, lookback_days: int
) -> Page:
    """One page of a recordings date window."""
    cursor = req.cursor or Cursor()
    lag = max(cursor.lag_seconds, spec.min_lag_seconds)
    if cursor.token and cursor.query_start is not None:
        window_from = cursor.query_start.date()
    elif cursor.start is None:  # a full read, or the first incremental one
        window_from = (now - timedelta(days=lookback_days)).date()
    else:
        window_from = (cursor.start - timedelta(seconds=lag)).date()
    today = (cursor.end or now).date()
    window_to = min(window_from + timedelta(days=spec.window_days - 1), today)
    params = {**spec.fixed_params, "from": window_from.isoformat(), "to": window_to.isoformat()}
    paginator = NextPageTokenPaginator(min(req.page_size, spec.max_page_size), cursor.token)
    # https://developers.zoom.us/docs/api/cloud-recording/#tag/cloud-recording/GET/users/{userId}/recordings
    body = await _page(http, url, params, paginator)
    found = past_boundary(records(body, spec), cursor)
    base = Cursor(start=cursor.start, boundary_ids=cursor.boundary_ids, lag_seconds=cursor.lag_seconds, end=cursor.end)
    if paginator.has_next_page:
        nxt = base.model_copy(update={"token": paginator.token, "query_start": _midnight(window_from)})
        return Page(records=found, next_cursor=nxt, checkpoint=base, limits=http.last_limits)
    if window_to < today:
        after = Cursor(start=_midnight(window_to + timedelta(days=1)), lag_seconds=cursor.lag_seconds, end=cursor.end)
        return Page(records=found, next_cursor=after, checkpoint=after, limits=http.last_limits)
    done = Cursor(start=cursor.end or now, lag_seconds=cursor.lag_seconds)
    return Page(records=found, checkpoint=done, limits=http.last_limits)
