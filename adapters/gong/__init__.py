"""Gong API v2 adapter (read-only): users, and calls by fromDateTime/toDateTime windows."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from adapters.gong.adapter import GongAdapter
from adapters.gong.client import gong_http
from adapters.gong.spec import GongConnection
from adapters.http.session import HttpOptions
from core.errors import ConfigError

__all__ = ["GongAdapter", "GongConnection", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> GongAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    try:
        conn = GongConnection.model_validate(connection)
    except ValidationError as exc:
        raise ConfigError(f"invalid Gong connection: {exc.errors()[0]['msg']}", provider="gong") from exc
    options = options or HttpOptions()
    return GongAdapter(conn, gong_http(client, options), clock=options.clock, limit_overrides=rate_limits)
