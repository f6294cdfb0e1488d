"""HubSpot CRM v3 adapter (object list, archived list, windowed search, batch upsert)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from adapters.http.credentials import AuthHints
from adapters.http.session import HttpOptions
from adapters.hubspot.adapter import HubSpotAdapter
from adapters.hubspot.spec import HUBSPOT, HubSpotConnection
from core.errors import ConfigError

__all__ = ["HubSpotAdapter", "HubSpotConnection", "auth_hints", "build"]


def _connection(connection: dict[str, Any]) -> HubSpotConnection:
    try:
        return HubSpotConnection.parse(connection)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise ConfigError(f"invalid HubSpot connection: {reason}", provider="hubspot") from exc


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """OAuth refresh goes to ``/oauth/v1/token`` unless the connection names another token URL."""
    return AuthHints(token_url=connection.get("tokenUrl") or HUBSPOT.token_url)


def build(client: httpx.AsyncClient, connection: dict[str, Any], *, rate_limits: dict[str, Any] | None = None,
          options: HttpOptions | None = None) -> HubSpotAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    return HubSpotAdapter(client, _connection(connection), rate_limits=rate_limits, options=options)
