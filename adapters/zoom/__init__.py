"""Zoom API v2 adapter: users, meetings (list and write), cloud recordings (date windows)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.http.session import HttpOptions
from adapters.zoom.adapter import ZoomAdapter
from adapters.zoom.client import auth_hints, connection_from, zoom_http
from adapters.zoom.spec import ZoomConnection

__all__ = ["ZoomAdapter", "ZoomConnection", "auth_hints", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> ZoomAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    options = options or HttpOptions()
    conn = connection_from(connection)
    return ZoomAdapter(conn, zoom_http(client, options), clock=options.clock, limit_overrides=rate_limits)
