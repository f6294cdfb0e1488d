"""``DriveAdapter``: the ProviderAdapter for Google Drive files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from adapters.base import DEFAULT_LIMITS, Cursor, FetchMode, FetchRequest, Page, ProviderLimits, WriteResult
from adapters.gdrive import read, write
from adapters.gdrive.errors import PROVIDER, classify
from adapters.gdrive.spec import ENTITY, DriveConnection
from adapters.gdrive.state import ListingState
from adapters.http.oauth import utc_now
from adapters.http.session import ProviderHttp
from core.errors import ConfigError, SyncError


class DriveAdapter:
    """Full reads list files; incremental reads follow changes.list; writes change metadata."""

    provider = PROVIDER

    def __init__(
        self,
        conn: DriveConnection,
        http: ProviderHttp,
        *,
        clock: Callable[[], datetime] = utc_now,
        limit_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.conn = conn
        self.http = http
        self._clock = clock
        self._limits = DEFAULT_LIMITS[PROVIDER].with_overrides(limit_overrides)

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

    def limits(self) -> ProviderLimits:
        """Drive's default budget with the Integration's overrides."""
        return self._limits

    def classify(self, response: httpx.Response) -> SyncError | None:
        """The typed error for a Drive response."""
        return classify(response, self._clock())

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.client.aclose()
