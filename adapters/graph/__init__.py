"""Microsoft Graph adapter: OneDrive driveItems (delta), Teams channel messages (delta) and chat messages."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.connection import parse_connection
from adapters.graph.adapter import GraphAdapter
from adapters.graph.client import auth_hints
from adapters.graph.spec import GraphConnection
from adapters.http.session import HttpOptions

__all__ = ["GraphAdapter", "GraphConnection", "auth_hints", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> GraphAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    conn = parse_connection(GraphConnection, connection, provider="graph", label="Graph")
    return GraphAdapter.from_client(client, conn, rate_limits=rate_limits, options=options)
