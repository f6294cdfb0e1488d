"""``GongAdapter``: the ProviderAdapter for Gong users and calls. Read-only.

Gong's public API has no call or user updates that a sync could write back, so create, update
and delete raise ``ConfigError``. Calls have no tombstones: deletions show up only in full-sync
comparisons. A full read starts from ``cursor=None``; the cursors a page hands back continue it.
"""

from __future__ import annotations

from typing import Any

from adapters.base import FetchRequest, Page, WriteResult
from adapters.gong import read
from adapters.gong.errors import PROVIDER, classify
from adapters.gong.spec import ENTITIES, EntitySpec, ReadKind
from adapters.http.clocked import ClockedAdapter
from core.errors import ConfigError

READ_ONLY = "Gong is read-only in this adapter"


class GongAdapter(ClockedAdapter, provider=PROVIDER, classify=classify):
    """Lists users; reads calls by start-time windows."""

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
