"""HubSpot CRM v3 adapter (object list, archived list, windowed search, batch upsert)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.connection import parse_connection
from adapters.http.credentials import AuthHints
from adapters.http.session import HttpOptions
from adapters.hubspot.adapter import HubSpotAdapter
from adapters.hubspot.spec import HUBSPOT, HubSpotConnection

__all__ = ["HubSpotAdapter", "HubSpotConnection", "auth_hints", "build"]


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """OAuth refresh goes to ``/oauth/v1/token`` unless the connection names another token URL."""
    return AuthHints(token_url=connection.get("tokenUrl") or HUBSPOT.token_url)


def build(client: httpx.AsyncClient, connection: dict[str, Any], *, rate_limits: dict[str, Any] | None = None,
          options: HttpOptions | None = None) -> HubSpotAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    conn = parse_connection(HubSpotConnection, connection, provider="hubspot", label="HubSpot")
    return HubSpotAdapter(client, conn, rate_limits=rate_limits, options=options)
