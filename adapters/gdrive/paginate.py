"""Drive paging: ``pageToken`` in, ``nextPageToken`` out; changes end with ``newStartPageToken``.

A dlt-style paginator (init_request / update_state / update_request / has_next_page). The same
class serves files.list (no final token) and changes.list (``newStartPageToken`` on the last page).
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.gdrive.spec import PAGE_TOKEN_PARAM
from core.errors import MalformedResponse


class PageTokenPaginator:
    """Follows ``nextPageToken``; keeps ``newStartPageToken`` (changes.list) for the next run."""

    def __init__(self, page_token: str | None = None, page_size: int | None = None) -> None:
        self.page_token = page_token
        self.page_size = page_size
        self.next_page_token: str | None = None
        self.new_start_page_token: str | None = None
        self.has_next_page = True

    def init_request(self, request: httpx.Request) -> None:
        """Set the page size and, for changes, the token to start from."""
        if self.page_size:
            request.url = request.url.copy_set_param("pageSize", str(self.page_size))
        if self.page_token:
            request.url = request.url.copy_set_param(PAGE_TOKEN_PARAM, self.page_token)

    def update_state(self, response: httpx.Response, data: dict[str, Any]) -> None:
        """Read the continuation tokens of a decoded page."""
        self.next_page_token = _token(data, "nextPageToken")
        self.new_start_page_token = _token(data, "newStartPageToken")
        self.has_next_page = self.next_page_token is not None

    def update_request(self, request: httpx.Request) -> None:
        """Ask for the next page; every other parameter stays as it was (Drive requires that)."""
        if self.next_page_token is None:
            raise MalformedResponse("no nextPageToken to follow", provider="gdrive")
        request.url = request.url.copy_set_param(PAGE_TOKEN_PARAM, self.next_page_token)


def _token(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedResponse(f"{key} is not a string", provider="gdrive")
    return value
