"""Dynamics 365 / Dataverse Web API adapter (change tracking, OData paging, If-Match writes)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from adapters.dynamics.adapter import DataverseAdapter
from adapters.dynamics.spec import DATAVERSE, DataverseConnection
from adapters.http.credentials import AuthHints
from adapters.http.session import HttpOptions
from core.errors import ConfigError

__all__ = ["DataverseAdapter", "DataverseConnection", "auth_hints", "build"]


def _connection(connection: dict[str, Any]) -> DataverseConnection:
    try:
        return DataverseConnection.parse(connection)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise ConfigError(f"invalid Dataverse connection: {reason}", provider="dynamics") from exc


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Client credentials ask for ``{environment}/.default`` (the app's application permissions)."""
    url = str(connection.get("instanceUrl") or connection.get("orgUrl") or "").rstrip("/")
    return AuthHints(token_url=connection.get("tokenUrl"), scope=f"{url}/.default" if url else None)


def build(client: httpx.AsyncClient, connection: dict[str, Any], *, rate_limits: dict[str, Any] | None = None,
          options: HttpOptions | None = None) -> DataverseAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    client.headers.update(DATAVERSE.headers)
    return DataverseAdapter(client, _connection(connection), rate_limits=rate_limits, options=options)
