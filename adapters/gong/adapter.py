"""``GongAdapter``: the ProviderAdapter for Gong users and calls. Read-only.

Gong's public API has no call or user updates that a sync could write back, so create, update
and delete raise ``ConfigError``. Calls have no tombstones: deletions show up only in full-sync
comparisons. A full read starts from ``cursor=None``; the cursors a page hands back continue it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from adapters.base import DEFAULT_LIMITS, FetchRequest, Page, ProviderLimits, WriteResult
from adapters.gong import read
from adapters.gong.errors import PROVIDER, classify
from adapters.gong.spec import ENTITIES, EntitySpec, GongConnection, ReadKind
from adapters.http.oauth import utc_now
from adapters.http.session import ProviderHttp
from core.errors import ConfigError, SyncError

READ_ONLY = "Gong is read-only in this adapter"


class GongAdapter:
    """Lists users; reads calls by start-time windows."""

    provider = PROVIDER

    def __init__(
        self,
        conn: GongConnection,
        http: ProviderHttp,
        *,
        clock: Callable[[], datetime] = utc_now,
        limit_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.conn = conn
        self.http = http
        self._clock = clock
        self._limits = DEFAULT_LIMITS[PROVIDER].with_overrides(limit_overrides)

    def _spec(self, entity: str) -> EntitySpec:
        spec = ENTITIES.get(entity)
        if spec is None:
            raise ConfigError(f"Gong entity {entity!r} is not supported", provider=PROVIDER)
        return spec

    async def fetch_page(self, req: FetchRequest) -> Page:
        """One page of users, or of a calls window."""
        spec = self._spec(req.entity)
        url = self.conn.base_url.rstrip("/") + spec.path
        if spec.read is ReadKind.LIST:
            return await read.list_page(self.http, spec, url, req)
        return await read.window_page(self.http, spec, url, req, self._clock(), self.conn.workspace_id)

    async def create(self, entity: str, data: dict[str, Any], idempotency_key: str | None = None) -> WriteResult:
        """Not supported: Gong is read-only here."""
        raise ConfigError(READ_ONLY, provider=PROVIDER)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """Not supported: Gong is read-only here."""
        raise ConfigError(READ_ONLY, provider=PROVIDER)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """Not supported: Gong is read-only here."""
        raise ConfigError(READ_ONLY, provider=PROVIDER)

    def limits(self) -> ProviderLimits:
        """Gong's documented default (3/s, 10,000/day per company) with the Integration's overrides."""
        return self._limits

    def classify(self, response: httpx.Response) -> SyncError | None:
        """The typed error for a Gong response (``None`` also for the empty-window 404)."""
        return classify(response, self._clock())

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.client.aclose()
