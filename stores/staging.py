"""StagingStore: fetched pages parked between activities, so orchestration history carries
only the key, never the records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class StagingStore(Protocol):
    def put(self, tenant_id: str, key: str, records: list[dict[str, Any]]) -> None:
        """Store (or overwrite) the page under ``key``."""
        ...

    def get(self, tenant_id: str, key: str) -> list[dict[str, Any]] | None:
        """The page, or None when there is none for this tenant."""
        ...

    def delete(self, tenant_id: str, key: str) -> bool: ...

    def delete_prefix(self, tenant_id: str, prefix: str) -> int:
        """Drop every page whose key starts with ``prefix`` (e.g. all pages of a finished run)."""
        ...

    def purge_before(self, cutoff: datetime) -> int:
        """Drop pages of every tenant staged before ``cutoff`` (left behind by crashed runs)."""
        ...
