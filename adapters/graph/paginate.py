"""Graph paging: follow ``@odata.nextLink`` until an ``@odata.deltaLink`` (or nothing) ends the round.

A dlt-style paginator with three hooks plus ``has_next_page``; the page loop stays generic.
Links are opaque and already carry every query parameter (delta-query-overview.md), so the
next request is the link as is. A link is only followed on the host we started on: the
bearer token must never be sent elsewhere.
"""

from __future__ import annotations

from typing import Any

import httpx

from core.errors import MalformedResponse

NEXT_LINK = "@odata.nextLink"
DELTA_LINK = "@odata.deltaLink"


class ODataLinkPaginator:
    """Pages through ``@odata.nextLink``; remembers the final ``@odata.deltaLink`` when there is one."""

    def __init__(self, page_size_param: str | None = None, page_size: int | None = None) -> None:
        self.page_size_param = page_size_param
        self.page_size = page_size
        self.next_link: str | None = None
        self.delta_link: str | None = None
        self.has_next_page = True

    def init_request(self, request: httpx.Request) -> None:
        """First request of a round: ask for the page size (later links encode it)."""
        if self.page_size_param and self.page_size:
            request.url = request.url.copy_set_param(self.page_size_param, str(self.page_size))

    def update_state(self, response: httpx.Response, data: dict[str, Any]) -> None:
        """Read the continuation links from a decoded page body."""
        next_link = data.get(NEXT_LINK)
        delta_link = data.get(DELTA_LINK)
        for name, link in ((NEXT_LINK, next_link), (DELTA_LINK, delta_link)):
            if link is not None and not same_host(link, response.request.url):
                raise MalformedResponse(f"{name} points to another host", provider="graph")
        self.next_link = next_link
        self.delta_link = delta_link
        self.has_next_page = next_link is not None

    def update_request(self, request: httpx.Request) -> None:
        """Point the request at the next link."""
        if self.next_link is None:
            raise MalformedResponse("no @odata.nextLink to follow", provider="graph")
        request.url = httpx.URL(self.next_link)

    @property
    def token(self) -> str | None:
        """The link to persist: the next page while the round runs, then the delta link."""
        return self.next_link if self.has_next_page else self.delta_link


def same_host(link: str, origin: httpx.URL) -> bool:
    """Whether ``link`` has the scheme and host of ``origin``."""
    try:
        url = httpx.URL(link)
    except (httpx.InvalidURL, TypeError):
        return False
    return url.scheme == origin.scheme and url.host == origin.host
