"""Gong paging: ``records.cursor`` in each page; pass it back as ``cursor``; no cursor, no more pages.

A dlt-style paginator (init_request / update_state / update_request / has_next_page). GET
endpoints take ``cursor`` as a query parameter (POST ones take it in the body; we use GET only).
"""

from __future__ import annotations

from typing import Any

import httpx

from core.errors import MalformedResponse


class RecordsCursorPaginator:
    """Follows ``records.cursor``."""

    def __init__(self, cursor: str | None = None) -> None:
        self.cursor = cursor
        self.has_next_page = True

    def init_request(self, request: httpx.Request) -> None:
        """Resume from a stored cursor; Gong's page size is fixed (100)."""
        if self.cursor:
            request.url = request.url.copy_set_param("cursor", self.cursor)

    def update_state(self, response: httpx.Response, data: dict[str, Any]) -> None:
        """Read ``records.cursor``; a page without ``records`` has nothing after it."""
        records = data.get("records", {})
        if not isinstance(records, dict):
            raise MalformedResponse("records is not an object", provider="gong")
        cursor = records.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise MalformedResponse("records.cursor is not a string", provider="gong")
        self.cursor = cursor or None
        self.has_next_page = self.cursor is not None

    def update_request(self, request: httpx.Request) -> None:
        """Same query, next cursor."""
        if self.cursor is None:
            raise MalformedResponse("no cursor to follow", provider="gong")
        request.url = request.url.copy_set_param("cursor", self.cursor)
