"""The shard store contract (the sync's hot path) and its small value types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from core.models import Shard


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What ``upsert_many`` did: ids that did not exist were created, the others replaced."""

    created: int = 0
    updated: int = 0


class LinkInfo(NamedTuple):
    """A shard's link to one external record, read without loading the shard (a tuple: a page makes
    thousands)."""

    shard_id: str
    content_hash: str | None
    deleted: bool
    shard_type_id: str | None = None  # the linked shard's type (None: not known to the store)
    # The shard's stored document as JSON text, when asked for (``find_links(..., bodies=True)``: read along
    # with the link); decoded only for the records that change the shard.
    body: str | None = None


@dataclass(frozen=True, slots=True)
class ShardPage:
    items: list[Shard]
    continuation_token: str | None


@dataclass(frozen=True, slots=True)
class PageIndex:
    """Per-page extras of ``upsert_many``.

    ``integration_id`` + ``run_id`` stamp every written shard as seen by this run (for full-sync
    deletion detection); ``key_name`` + ``key_values`` (shard id -> values) index shards for the
    key-based dedup strategies (``core.dedup.index_values``).
    """

    integration_id: str | None = None
    run_id: str | None = None
    key_name: str | None = None
    key_values: Mapping[str, Sequence[str]] | None = None


class ShardStore(Protocol):
    """Shards of one tenant; page-level methods work on a whole sync page in one call."""

    def get(self, tenant_id: str, shard_id: str) -> Shard | None: ...

    def query(
        self,
        tenant_id: str,
        *,
        shard_type_id: str | None = None,
        external_system: str | None = None,
        external_id: str | None = None,
        limit: int = 100,
        continuation_token: str | None = None,
        include_deleted: bool = False,
    ) -> ShardPage: ...

    def create(self, tenant_id: str, shard: Shard) -> Shard:
        """Insert; ``RecordExists`` when the id is taken."""
        ...

    def patch(self, tenant_id: str, shard_id: str, changes: Mapping[str, Any], if_match: str | None = None) -> Shard:
        """Set top-level fields (camelCase names); ``StaleETag`` when ``if_match`` is stale."""
        ...

    def delete(self, tenant_id: str, shard_id: str, *, soft: bool = False, now: datetime | None = None) -> bool:
        """Remove, or with ``soft`` set ``deletedAt``; False when not found."""
        ...

    def find_by_external_ids(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str]
    ) -> dict[str, Shard]: ...

    def find_documents_by_external_ids(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """``find_by_external_ids`` as stored documents (``core.models.shard_document``'s shape, no ETag): what
        a sync page updates, without a model per shard (``core.refresh``)."""
        ...

    def find_links(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str], *, bodies: bool = False
    ) -> dict[str, LinkInfo]:
        """The links of these external ids (soft-deleted shards included), without loading shards:
        enough to recognise unchanged records by content hash before loading the changed ones. With
        ``bodies`` each link also carries its shard's document (``LinkInfo.body``), read in the same pass."""
        ...

    def find_by_keys(self, tenant_id: str, shard_type_id: str, key_name: str, values: Sequence[str]) -> list[Shard]: ...

    def upsert_many(self, tenant_id: str, shards: Sequence[Shard], index: PageIndex | None = None) -> UpsertCounts:
        """Create or replace a page of shards (one transaction on SQLite)."""
        ...

    def upsert_documents(
        self, tenant_id: str, docs: Sequence[Mapping[str, Any]], index: PageIndex | None = None
    ) -> UpsertCounts:
        """``upsert_many`` for shards already in their stored shape (``core.models.shard_document``): what a
        sync page writes, built without a model per shard."""
        ...

    def mark_seen(self, tenant_id: str, integration_id: str, external_ids: Sequence[str], run_id: str) -> int:
        """Stamp shards a run saw but did not rewrite (unchanged records).

        Only full syncs need it (deletion detection). It is one UPDATE on SQLite, but on Cosmos it
        rewrites each document, so incremental syncs should not call it."""
        ...

    def mark_deleted_except(
        self, tenant_id: str, integration_id: str, shard_type_id: str, run_id: str, now: datetime
    ) -> int:
        """Soft-delete this integration's shards of this type that ``run_id`` did not see."""
        ...
