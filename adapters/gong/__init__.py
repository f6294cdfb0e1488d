"""Gong API v2 adapter (read-only): users, and calls by fromDateTime/toDateTime windows.

Auth is HTTP Basic with the access key and its secret (help.gong.io/apidocs, Introduction),
the credential's ``basic`` flow built by ``adapters.registry``. Gong publishes no budget headers;
429 carries ``Retry-After`` in seconds.
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.connection import parse_connection
from adapters.gong.adapter import GongAdapter
from adapters.gong.spec import GongConnection
from adapters.http.session import HttpOptions

__all__ = ["GongAdapter", "GongConnection", "build"]


def build(
    client: httpx.AsyncClient,
    connection: dict[str, Any],
    *,
    rate_limits: dict[str, Any] | None = None,
    options: HttpOptions | None = None,
) -> GongAdapter:
    """The adapter for one Integration (see ``adapters.registry``)."""
    conn = parse_connection(GongConnection, connection, provider="gong", label="Gong")
    return GongAdapter.from_client(client, conn, rate_limits=rate_limits, options=options)
