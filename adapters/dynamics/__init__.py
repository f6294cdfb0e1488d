"""Dynamics 365 / Dataverse Web API adapter (change tracking, OData paging, If-Match writes)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.connection import parse_connection
from adapters.dynamics.adapter import DataverseAdapter
from adapters.dynamics.spec import DATAVERSE, DataverseConnection
from adapters.http.credentials import AuthHints
from adapters.http.session import HttpOptions

__all__ = ["DataverseAdapter", "DataverseConnection", "auth_hints", "build"]


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Client credentials ask for ``{environment}/.default`` (the app's application permissions)."""
    url = str(connection.get("instanceUrl") or connection.get("orgUrl") or "").rstrip("/")
    return AuthHints(token_url=connection.get("tokenUrl"), scope=f"{url}/.default" if url else None)


def build(client: httpx.AsyncClient, connection: dict[str, Any], *, rate_limits: dict[str, Any] | None = None,
          options: HttpOptions | None = None) -> DataverseAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    client.headers.update(DATAVERSE.headers)
    conn = parse_connection(DataverseConnection, connection, provider="dynamics", label="Dataverse")
    return DataverseAdapter(client, conn, rate_limits=rate_limits, options=options)
