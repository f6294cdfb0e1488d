"""Drive reads: a full listing (files.list) that ends in a change token, then changes.list.

- Full: ``GET /changes/startPageToken`` first, then ``GET /files`` pages (``pageToken`` /
  ``nextPageToken``); the last page's checkpoint is the start token taken before the listing.
- Incremental: ``GET /changes?pageToken=…&includeRemoved=true`` pages until ``newStartPageToken``,
  which is the next checkpoint. A rejected token gives ``Page(resync_required=True)``.
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.base import Cursor, FetchRequest, Page
from adapters.gdrive.mapping import changes_page, files_page
from adapters.gdrive.paginate import PageTokenPaginator
from adapters.gdrive.spec import ALL_DRIVES, CHANGE_FIELDS, LIST_FIELDS, MAX_PAGE_SIZE, DriveConnection
from adapters.gdrive.state import ListingState
from adapters.http.session import ProviderHttp, read_object
from core.errors import MalformedResponse, ResyncRequired

PROVIDER = "gdrive"


async def _get(http: ProviderHttp, request: httpx.Request) -> tuple[httpx.Response, dict[str, Any]]:
    response = await http.request("GET", str(request.url))
    return response, read_object(response, PROVIDER, "Drive response")


async def start_page_token(http: ProviderHttp, conn: DriveConnection) -> str:
    """The change token for "from now on"."""
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/getStartPageToken
    url = f"{conn.base_url}/changes/startPageToken"
    request = httpx.Request("GET", url, params={"supportsAllDrives": "true"})
    _, body = await _get(http, request)
    token = body.get("startPageToken")
    if not isinstance(token, str) or not token:
        raise MalformedResponse("getStartPageToken returned no startPageToken", provider=PROVIDER)
    return token


async def listing_page(http: ProviderHttp, conn: DriveConnection, req: FetchRequest,
                       state: ListingState | None) -> Page:
    """One files.list page of a full read."""
    if state is None:
        state = ListingState(start_page_token=await start_page_token(http, conn))
    paginator = PageTokenPaginator(state.page_token, min(req.page_size, MAX_PAGE_SIZE))
    params = {"q": conn.files_query, "fields": LIST_FIELDS, **ALL_DRIVES}
    request = httpx.Request("GET", f"{conn.base_url}/files", params=params)
    paginator.init_request(request)
    # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/list
    response, body = await _get(http, request)
    paginator.update_state(response, body)
    records = files_page(body)
    if paginator.has_next_page:
        token = state.model_copy(update={"page_token": paginator.next_page_token}).encode()
        return Page(records=records, next_cursor=Cursor(token=token), checkpoint=Cursor(token=token),
                    limits=http.last_limits)
    return Page(records=records, checkpoint=Cursor(token=state.start_page_token), limits=http.last_limits)


async def changes_page_read(http: ProviderHttp, conn: DriveConnection, req: FetchRequest, token: str) -> Page:
    """One changes.list page of an incremental read."""
    paginator = PageTokenPaginator(token, min(req.page_size, MAX_PAGE_SIZE))
    params = {"includeRemoved": "true", "spaces": "drive", "fields": CHANGE_FIELDS, **ALL_DRIVES}
    request = httpx.Request("GET", f"{conn.base_url}/changes", params=params)
    paginator.init_request(request)
    try:
        # https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/list
        response, body = await _get(http, request)
    except ResyncRequired:
        return Page(resync_required=True, checkpoint=Cursor(), limits=http.last_limits)
    paginator.update_state(response, body)
    records, deleted = changes_page(body)
    if paginator.has_next_page:
        nxt = Cursor(token=paginator.next_page_token)
        return Page(records=records, deleted_ids=deleted, next_cursor=nxt, checkpoint=nxt,
                    limits=http.last_limits)
    if paginator.new_start_page_token is None:
        raise MalformedResponse("last changes page has no newStartPageToken", provider=PROVIDER)
    return Page(records=records, deleted_ids=deleted, checkpoint=Cursor(token=paginator.new_start_page_token),
                limits=http.last_limits)
