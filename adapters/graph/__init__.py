"""Microsoft Graph adapter: OneDrive driveItems (delta), Teams channel messages (delta) and chat messages."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from adapters.graph.adapter import GraphAdapter
from adapters.graph.client import auth_hints, graph_http
from adapters.graph.spec import GraphConnection
from adapters.http.session import HttpOptions
from core.errors import ConfigError

__all__ = ["GraphAdapter", "GraphConnection", "auth_hints", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> GraphAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    try:
        conn = GraphConnection.model_validate(connection)
    except ValidationError as exc:
        raise ConfigError(f"invalid Graph connection: {exc.errors()[0]['msg']}", provider="graph") from exc
    options = options or HttpOptions()
    return GraphAdapter(conn, graph_http(client, options), clock=options.clock, limit_overrides=rate_limits)
