"""``GraphAdapter``: the ProviderAdapter for OneDrive driveItems, Teams channel and chat messages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.base import FetchRequest, Page, WriteResult
from adapters.graph import read, write
from adapters.graph.errors import PROVIDER, classify
from adapters.graph.spec import ENTITIES, EntitySpec, ReadKind
from adapters.http.clocked import ClockedAdapter
from core.errors import ConfigError


class GraphAdapter(ClockedAdapter, provider=PROVIDER, classify=classify):
    """Reads driveItems and channel messages by delta, chat messages by time window; writes driveItems."""

    def _spec(self, entity: str) -> EntitySpec:
        try:
            return ENTITIES[entity]
        except KeyError:
            raise ConfigError(f"Graph entity {entity!r} is not supported", provider=PROVIDER) from None

    def _url(self, path: str) -> str:
        values = self.conn.model_dump(include={"drive_id", "team_id", "channel_id", "chat_id"})
        missing = [k for k, v in values.items() if "{" + k + "}" in path and not v]
        if missing:
            raise ConfigError(f"Graph connection lacks {', '.join(missing)}", provider=PROVIDER)
        filled = path.format(**{k: quote(v or "", safe=":@") for k, v in values.items()})
        return self.conn.base_url.rstrip("/") + filled

    def _drive_url(self, entity: str) -> str:
        spec = self._spec(entity)
        if not spec.writable:
            raise ConfigError(f"Graph {entity} is read-only in this adapter", provider=PROVIDER)
        return self._url("/drives/{drive_id}")

    async def fetch_page(self, req: FetchRequest) -> Page:
        """One page; delta entities follow links, chat messages read a time window."""
        spec = self._spec(req.entity)
        url = self._url(spec.path)
        if spec.read is ReadKind.DELTA:
            return await read.delta_page(self.http, spec, url, req)
        return await read.window_page(self.http, spec, url, req, self._clock())

    async def create(
        self, entity: str, data: dict[str, Any], idempotency_key: str | None = None
    ) -> WriteResult:
        """Create a driveItem (folder, or small file with ``content``)."""
        return await write.create_item(self.http, self._drive_url(entity), data, idempotency_key)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """PATCH a driveItem; ``if_version`` is its eTag."""
        return await write.update_item(self.http, self._drive_url(entity), external_id, data, if_version)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """Delete a driveItem; ``if_version`` is its eTag."""
        await write.delete_item(self.http, self._drive_url(entity), external_id, if_version)
