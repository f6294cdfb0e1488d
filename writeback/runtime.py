"""Write-back's process-wide pieces: its settings and the outbox that goes with a shard store."""

from __future__ import annotations

import threading
import weakref

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from stores.outbox import OutboxStore
from stores.shards import ShardStore


class WritebackSettings(BaseSettings):
    """``CASTIEL_WRITEBACK_*`` settings, read once per process."""

    model_config = SettingsConfigDict(env_prefix="CASTIEL_WRITEBACK_", extra="ignore")

    # The sweeper starts a drainer for every integration with due entries; off, only the route does.
    sweep_enabled: bool = True
    batch_size: int = Field(default=100, ge=1, le=1000)
    batches_per_generation: int = Field(default=20, ge=1)
    # Concurrent pushes inside one batch activity (each record appears once per batch).
    push_concurrency: int = Field(default=4, ge=1, le=64)
    # A drainer with only throttled entries waits this long at most on a timer before ending.
    max_idle_wait_seconds: float = Field(default=120.0, ge=0)
    retry_max_attempts: int = Field(default=10, ge=1)
    retry_initial_delay_seconds: float = Field(default=5.0, gt=0)
    retry_max_delay_seconds: float = Field(default=300.0, gt=0)


OUTBOX_CONTAINER = "outbox"
_settings: WritebackSettings | None = None
_lock = threading.Lock()
_outboxes: weakref.WeakKeyDictionary[object, OutboxStore] = weakref.WeakKeyDictionary()


def writeback_settings() -> WritebackSettings:
    """The process's write-back settings, loaded on first use."""
    global _settings
    if _settings is None:
        with _lock:
            if _settings is None:
                _settings = WritebackSettings()
    return _settings


def outbox_for(shards: ShardStore) -> OutboxStore:
    """The outbox living next to ``shards`` (one per store, built once): on SQLite in the same
    database file, so that ``capturing()`` is one transaction with the shard write."""
    with _lock:
        outbox = _outboxes.get(shards)
        if outbox is None:
            outbox = _build(shards)
            _outboxes[shards] = outbox
    return outbox


def _build(shards: ShardStore) -> OutboxStore:
    from stores.sqlite.shards import SqliteShardStore

    if isinstance(shards, SqliteShardStore):
        from stores.sqlite.outbox import SqliteOutboxStore

        return SqliteOutboxStore(shards.database)
    from stores.cosmos.shards import CosmosShardStore

    if isinstance(shards, CosmosShardStore):
        return _cosmos_outbox(shards)
    raise TypeError(f"no write-back outbox for shard store {type(shards).__name__}")


def _cosmos_outbox(shards: ShardStore) -> OutboxStore:
    """The ``outbox`` container next to the ``shards`` one (not transactional with it: see
    ``stores.document_outbox``)."""
    from azure.cosmos import DatabaseProxy, PartitionKey

    from stores.cosmos.client import PARTITION_KEY_PATH, translated
    from stores.cosmos.collection import CosmosCollection
    from stores.document_outbox import DocumentOutboxStore

    container = shards.container  # type: ignore[attr-defined]
    # container_link is "dbs/{database}/colls/{container}".
    database = DatabaseProxy(container.client_connection, container.container_link.split("/")[1])
    with translated():
        outbox = database.create_container_if_not_exists(
            OUTBOX_CONTAINER, partition_key=PartitionKey(path=PARTITION_KEY_PATH))
    return DocumentOutboxStore(CosmosCollection(outbox))
