"""Google Drive v3 adapter: files (files.list), changes (changes.list from a start page token)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from adapters.gdrive.adapter import DriveAdapter
from adapters.gdrive.client import auth_hints, drive_http
from adapters.gdrive.spec import DriveConnection
from adapters.http.session import HttpOptions
from core.errors import ConfigError

__all__ = ["DriveAdapter", "DriveConnection", "auth_hints", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> DriveAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    try:
        conn = DriveConnection.model_validate(connection)
    except ValidationError as exc:
        raise ConfigError(f"invalid Drive connection: {exc.errors()[0]['msg']}", provider="gdrive") from exc
    options = options or HttpOptions()
    return DriveAdapter(conn, drive_http(client, options), clock=options.clock, limit_overrides=rate_limits)
