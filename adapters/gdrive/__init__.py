"""Google Drive v3 adapter: files (files.list), changes (changes.list from a start page token)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.connection import parse_connection
from adapters.gdrive.adapter import DriveAdapter
from adapters.gdrive.client import auth_hints
from adapters.gdrive.spec import DriveConnection
from adapters.http.session import HttpOptions

__all__ = ["DriveAdapter", "DriveConnection", "auth_hints", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> DriveAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    conn = parse_connection(DriveConnection, connection, provider="gdrive", label="Drive")
    return DriveAdapter.from_client(client, conn, rate_limits=rate_limits, options=options)
