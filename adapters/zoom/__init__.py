"""Zoom API v2 adapter: users, meetings (list and write), cloud recordings (date windows)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.http.session import HttpOptions
from adapters.zoom.adapter import ZoomAdapter
from adapters.zoom.client import auth_hints, connection_from
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
    return ZoomAdapter.from_client(client, connection_from(connection), rate_limits=rate_limits, options=options)
