"""``ZoomAdapter``: the ProviderAdapter for Zoom users, meetings and cloud recordings.

A full read starts from ``cursor=None``; the cursors a page hands back continue the same read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.base import FetchRequest, Page, WriteResult
from adapters.http.clocked import ClockedAdapter
from adapters.zoom import read, write
from adapters.zoom.errors import PROVIDER, classify
from adapters.zoom.spec import ENTITIES, EntitySpec, ReadKind
from core.errors import ConfigError


class ZoomAdapter(ClockedAdapter, provider=PROVIDER, classify=classify):
    """Lists users and meetings, reads recordings by date window, writes meetings."""

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
