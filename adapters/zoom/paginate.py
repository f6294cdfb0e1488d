"""Zoom paging: resend the same query plus ``next_page_token``; an empty token ends the list.

A dlt-style paginator (init_request / update_state / update_request / has_next_page), per
developers.zoom.us/docs/api/pagination. Tokens expire after 15 minutes, so a run should not
park between pages for long; an expired token is answered with code 300 (see errors.py).
"""

from __future__ import annotations

from typing import Any

import httpx

from core.errors import MalformedResponse

TOKEN_PARAM = "next_page_token"


class NextPageTokenPaginator:
    """Follows ``next_page_token`` until it comes back empty or missing."""

    def __init__(self, page_size: int, token: str | None = None) -> None:
        self.page_size = page_size
        self.token = token
        self.has_next_page = True

    def init_request(self, request: httpx.Request) -> None:
        """Set ``page_size`` and, when resuming, the token to continue from."""
        request.url = request.url.copy_set_param("page_size", str(self.page_size))
        if self.token:
            request.url = request.url.copy_set_param(TOKEN_PARAM, self.token)

    def update_state(self, response: httpx.Response, data: dict[str, Any]) -> None:
        """Read ``next_page_token`` from a decoded page."""
        token = data.get(TOKEN_PARAM)
        if token is not None and not isinstance(token, str):
            raise MalformedResponse("next_page_token is not a string", provider="zoom")
        self.token = token or None
        self.has_next_page = self.token is not None

    def update_request(self, request: httpx.Request) -> None:
        """Same query, next token."""
        if self.token is None:
            raise MalformedResponse("no next_page_token to follow", provider="zoom")
        request.url = request.url.copy_set_param(TOKEN_PARAM, self.token)
