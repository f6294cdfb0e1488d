"""``ZoomAdapter``: the ProviderAdapter for Zoom users, meetings and cloud recordings.

A full read starts from ``cursor=None``; the cursors a page hands back continue the same read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from adapters.base import DEFAULT_LIMITS, FetchRequest, Page, ProviderLimits, WriteResult
from adapters.http.oauth import utc_now
from adapters.http.session import ProviderHttp
from adapters.zoom import read, write
from adapters.zoom.errors import PROVIDER, classify
from adapters.zoom.spec import ENTITIES, EntitySpec, ReadKind, ZoomConnection
from core.errors import ConfigError, SyncError


class ZoomAdapter:
    """Lists users and meetings, reads recordings by date window, writes meetings."""

    provider = PROVIDER

    def __init__(
        self,
        conn: ZoomConnection,
        http: ProviderHttp,
        *,
        clock: Callable[[], datetime] = utc_now,
        limit_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.conn = conn
        self.http = http
        self._clock = clock
        self._limits = DEFAULT_LIMITS[PROVIDER].with_overrides(limit_overrides)

    def _spec(self, entity: str, *, writing: bool = False) -> EntitySpec:
        spec = ENTITIES.get(entity)
        if spec is None:
            raise ConfigError(f"Zoom entity {entity!r} is not supported", provider=PROVIDER)
        if writing and spec.write_path is None:
            raise ConfigError(f"Zoom {entity} is read-only in this adapter", provider=PROVIDER)
        return spec

    def _url(self, path: str) -> str:
        return self.conn.base_url.rstrip("/") + path.format(user_id=quote(self.conn.user_id, safe=""))

    async def fetch_page(self, req: FetchRequest) -> Page:
        """One page: a list page, or a page of a recordings date window."""
        spec = self._spec(req.entity)
        url = self._url(spec.path)
        if spec.read is ReadKind.LIST:
            return await read.list_page(self.http, spec, url, req)
        return await read.window_page(self.http, spec, url, req, self._clock(), self.conn.recordings_lookback_days)

    async def create(self, entity: str, data: dict[str, Any], idempotency_key: str | None = None) -> WriteResult:
        """Create a meeting (Zoom has no idempotency key: see ``write``)."""
        self._spec(entity, writing=True)
        return await write.create_meeting(self.http, self.conn.base_url.rstrip("/"), self.conn.user_id, data)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """Update a meeting; a version condition is refused."""
        self._spec(entity, writing=True)
        write.refuse_condition(if_version)
        return await write.update_meeting(self.http, self.conn.base_url.rstrip("/"), external_id, data)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """Delete a meeting; a version condition is refused."""
        self._spec(entity, writing=True)
        write.refuse_condition(if_version)
        await write.delete_meeting(self.http, self.conn.base_url.rstrip("/"), external_id)

    def limits(self) -> ProviderLimits:
        """Zoom's default budget (Free plan, light APIs) with the Integration's overrides."""
        return self._limits

    def classify(self, response: httpx.Response) -> SyncError | None:
        """The typed error for a Zoom response."""
        return classify(response, self._clock())

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.client.aclose()
