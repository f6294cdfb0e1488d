"""``DriveAdapter``: the ProviderAdapter for Google Drive files."""

from __future__ import annotations

from typing import Any

from adapters.base import Cursor, FetchMode, FetchRequest, Page, WriteResult
from adapters.gdrive import read, write
from adapters.gdrive.errors import PROVIDER, classify
from adapters.gdrive.spec import ENTITY
from adapters.gdrive.state import ListingState
from adapters.http.clocked import ClockedAdapter
from core.errors import ConfigError


class DriveAdapter(ClockedAdapter, provider=PROVIDER, classify=classify):
    """Full reads list files; incremental reads follow changes.list; writes change metadata."""

    @staticmethod
    def _check(entity: str) -> None:
        if entity != ENTITY:
            raise ConfigError(
                f"Drive entity {entity!r} is not supported (only {ENTITY!r})", provider=PROVIDER
            )

    async def fetch_page(self, req: FetchRequest) -> Page:
        """A listing page (full read, or no change token yet) or a changes page."""
        self._check(req.entity)
        cursor = req.cursor or Cursor()
        state = ListingState.decode(cursor.token)
        if state is not None:
            return await read.listing_page(self.http, self.conn, req, state)
        if req.mode is FetchMode.FULL or not cursor.token:
            return await read.listing_page(self.http, self.conn, req, None)
        return await read.changes_page_read(self.http, self.conn, req, cursor.token)

    async def create(
        self, entity: str, data: dict[str, Any], idempotency_key: str | None = None
    ) -> WriteResult:
        """Create a file from metadata."""
        self._check(entity)
        return await write.create_file(self.http, self.conn, data, idempotency_key)

    async def update(
        self, entity: str, external_id: str, data: dict[str, Any], if_version: str | None = None
    ) -> WriteResult:
        """Update metadata; ``if_version`` is Drive's file ``version`` (checked, then written)."""
        self._check(entity)
        return await write.update_file(self.http, self.conn, external_id, data, if_version)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        """Trash the file (or delete it when the connection says so)."""
        self._check(entity)
        await write.delete_file(self.http, self.conn, external_id, if_version)
