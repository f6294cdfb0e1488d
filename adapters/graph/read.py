"""Graph reads: one page of a delta round, or one page of a lastModifiedDateTime window.

Delta (driveItems, channelMessages): no token starts a full enumeration; a token (an
``@odata.nextLink`` or a stored ``@odata.deltaLink``) is requested as is. The checkpoint is the
link itself: Graph lets a round resume from a next link, and the delta link starts the next round.

Window (chatMessages): Graph lists chat messages newest first and filters ``lastModifiedDateTime``
with ``gt``/``lt`` only (chat-list-messages.md). A round reads ``(start - lag - 1 ms, end)`` where
``end`` is fixed when the round starts, so the closed lower boundary holds at Graph's millisecond
precision and nothing modified during the round is lost: it is read by the next round. Because
pages come newest first, the checkpoint moves to ``end`` only after the last page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from adapters.base import Cursor, FetchMode, FetchRequest, Page
from adapters.graph.mapping import split_items
from adapters.graph.paginate import ODataLinkPaginator, same_host
from adapters.graph.spec import EntitySpec
from adapters.http.session import ProviderHttp, read_object
from adapters.incremental import past_boundary, query_floor
from core.errors import MalformedResponse, ResyncRequired

PROVIDER = "graph"
ONE_MS = timedelta(milliseconds=1)


async def _get_page(http: ProviderHttp, request: httpx.Request) -> tuple[httpx.Response, dict[str, Any]]:
    response = await http.request("GET", str(request.url))
    return response, read_object(response, PROVIDER, "Graph page")


def _resume(paginator: ODataLinkPaginator, request: httpx.Request, token: str) -> None:
    if not same_host(token, request.url):
        raise MalformedResponse("stored Graph link points to another host", provider=PROVIDER)
    paginator.next_link = token
    paginator.update_request(request)


async def delta_page(http: ProviderHttp, spec: EntitySpec, url: str, req: FetchRequest) -> Page:
    """One page of a delta round (driveitem-delta.md, chatmessage-delta.md)."""
    cursor = req.cursor or Cursor()
    paginator = ODataLinkPaginator(spec.page_size_param, min(req.page_size, spec.max_page_size))
    request = httpx.Request("GET", url)
    if cursor.token:
        _resume(paginator, request, cursor.token)
    else:
        paginator.init_request(request)
    try:
        # https://learn.microsoft.com/graph/api/driveitem-delta and /graph/api/chatmessage-delta
        response, body = await _get_page(http, request)
    except ResyncRequired:
        if not cursor.token:
            raise  # a fresh enumeration cannot be "expired": that is a real failure
        return Page(resync_required=True, checkpoint=Cursor(), limits=http.last_limits)
    paginator.update_state(response, body)
    records, deleted = split_items(body.get("value"), spec)
    token = paginator.token
    if token is None:
        raise MalformedResponse("delta page lacks both @odata.nextLink and deltaLink", provider=PROVIDER)
    return Page(
        records=records,
        deleted_ids=deleted,
        next_cursor=Cursor(token=token) if paginator.has_next_page else None,
        checkpoint=Cursor(token=token),
        limits=http.last_limits,
    )


def odata_time(value: datetime) -> str:
    """An OData DateTimeOffset literal in UTC with milliseconds (Graph's precision); naive means UTC."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def window_filter(lower: datetime | None, end: datetime) -> str:
    """``$filter`` for a window on lastModifiedDateTime; ``lower`` is exclusive (Graph has no ``ge``)."""
    upper = f"lastModifiedDateTime lt {odata_time(end)}"
    return upper if lower is None else f"lastModifiedDateTime gt {odata_time(lower)} and {upper}"


async def window_page(
    http: ProviderHttp, spec: EntitySpec, url: str, req: FetchRequest, now: datetime
) -> Page:
    """One page of a chat-message window (chat-list-messages.md: $orderby desc, gt/lt filter)."""
    cursor = req.cursor or Cursor()
    paginator = ODataLinkPaginator(spec.page_size_param, min(req.page_size, spec.max_page_size))
    request = httpx.Request("GET", url)
    if cursor.token:
        if cursor.end is None:
            raise MalformedResponse("window continuation without its end", provider=PROVIDER)
        end, lower = cursor.end, cursor.query_start
        _resume(paginator, request, cursor.token)
    else:
        end = cursor.end or now
        floor = None if req.mode is FetchMode.FULL else query_floor(cursor)
        lower = None if floor is None else floor - ONE_MS  # Graph has gt only: gt floor-1ms == ge floor
        paginator.init_request(request)
        request.url = request.url.copy_merge_params(
            {"$orderby": "lastModifiedDateTime desc", "$filter": window_filter(lower, end)}
        )
    # https://learn.microsoft.com/graph/api/chat-list-messages
    response, body = await _get_page(http, request)
    paginator.update_state(response, body)
    records, deleted = split_items(body.get("value"), spec)
    records = past_boundary(records, cursor)
    round_start = Cursor(start=cursor.start, boundary_ids=cursor.boundary_ids, lag_seconds=cursor.lag_seconds)
    if paginator.has_next_page:
        next_cursor = round_start.model_copy(
            update={"token": paginator.next_link, "end": end, "query_start": lower}
        )
        checkpoint = round_start
    else:
        next_cursor, checkpoint = None, Cursor(start=end, lag_seconds=cursor.lag_seconds)
    return Page(records=records, deleted_ids=deleted, next_cursor=next_cursor, checkpoint=checkpoint,
                limits=http.last_limits)
