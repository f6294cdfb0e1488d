"""Salesforce REST API adapter (SOQL query/queryAll, sObject rows, upsert by external id)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.connection import parse_connection
from adapters.http.credentials import AuthHints
from adapters.http.session import HttpOptions
from adapters.salesforce.adapter import SalesforceAdapter
from adapters.salesforce.spec import SalesforceConnection

__all__ = ["SalesforceAdapter", "SalesforceConnection", "auth_hints", "build"]

DEFAULT_TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Token URL from the connection; the JWT ``aud`` is the login host (login. or test.salesforce.com)."""
    token_url = connection.get("tokenUrl") or DEFAULT_TOKEN_URL
    parts = urlsplit(token_url)
    return AuthHints(token_url=token_url, audience=f"{parts.scheme}://{parts.netloc}")


def build(client: httpx.AsyncClient, connection: dict[str, Any], *, rate_limits: dict[str, Any] | None = None,
          options: HttpOptions | None = None) -> SalesforceAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    conn = parse_connection(SalesforceConnection, connection, provider="salesforce", label="Salesforce")
    return SalesforceAdapter(client, conn, rate_limits=rate_limits, options=options)
