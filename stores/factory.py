"""Builds every store from the one Settings object: SQLite and local secrets on a laptop,
Cosmos DB and Key Vault in Azure, with no code change between the two.

Call ``build_stores(settings)`` once per process and pass the ``Stores`` down; clients and
connections are meant to live as long as the process.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from core.settings import RecordStoreBackend, SecretStoreBackend, Settings
from stores.audit import AuditStore, DocumentAuditStore
from stores.credentials import CredentialMetaStore, DocumentCredentialMetaStore
from stores.deadletters import DeadLetterStore, DocumentDeadLetterStore
from stores.documents import DocumentCollection
from stores.integrations import DocumentIntegrationStore, IntegrationStore
from stores.runs import DocumentRunStore, RunStore
from stores.secrets.base import SecretStore
from stores.secrets.local import LocalSecretStore
from stores.shards import ShardStore
from stores.staging import StagingStore
from stores.syncstate import DocumentSyncStateStore, SyncStateStore
from stores.webhook_registrations import DocumentWebhookRegistrationStore, WebhookRegistrationStore
from stores.webhooks import DocumentWebhookInbox, WebhookInbox

SQLITE_FILE = "castiel.db"
# Staged pages are files of their own (a page is written once and read once: no database's log, checkpoint
# or cache earns its cost); earlier versions kept them in a SQLite file, still read until it is drained.
STAGING_DIR = "staging"
STAGING_FILE = "staging.db"
# The fields each document store filters or sorts on (Cosmos indexes every path by itself).
SQLITE_INDEXES: dict[str, list[list[str]]] = {
    "integrations": [["ix.state", "ix.due"]],
    "runs": [["tenantId", "integrationId", "ix.started"], ["ix.started"]],
    "deadletters": [["tenantId", "ix.last"]],
    "audit": [["tenantId", "ix.at"]],
    "webhooks": [["tenantId", "ix.pending", "ix.received"], ["ix.kind", "ix.registration"],
                 ["tenantId", "ix.kind", "ix.integration"]],
    "credentials": [["status", "ix.expires"]],
    "syncstate": [["tenantId", "integrationId"]],
}
SECRETS_DIR = "secrets"


@dataclass(frozen=True)
class Stores:
    """All the stores of one process."""

    integrations: IntegrationStore
    shards: ShardStore
    sync_state: SyncStateStore
    runs: RunStore
    staging: StagingStore
    dead_letters: DeadLetterStore
    audit: AuditStore
    webhooks: WebhookInbox
    webhook_registrations: WebhookRegistrationStore
    credentials: CredentialMetaStore
    secrets: SecretStore
    close: Callable[[], None]
    # A unit of work: on SQLite the stores' writes inside it commit as one transaction (nested writes
    # join it); None where the backend has no cross-store transaction (Cosmos: one write, one request).
    transaction: Callable[[], AbstractContextManager[Any]] | None = None


def _document_stores(collection: Callable[[str], DocumentCollection]) -> dict[str, Any]:
    return {
        "integrations": DocumentIntegrationStore(collection("integrations")),
        "sync_state": DocumentSyncStateStore(collection("syncstate")),
        "runs": DocumentRunStore(collection("runs")),
        "dead_letters": DocumentDeadLetterStore(collection("deadletters")),
        "audit": DocumentAuditStore(collection("audit")),
        "webhooks": DocumentWebhookInbox(collection("webhooks")),
        "webhook_registrations": DocumentWebhookRegistrationStore(collection("webhooks")),
        "credentials": DocumentCredentialMetaStore(collection("credentials")),
    }


def _sqlite_stores(settings: Settings) -> dict[str, Any]:
    from stores.files.recent import RecentPages
    from stores.files.staging import FileStagingStore
    from stores.sqlite.collection import SqliteCollection
    from stores.sqlite.connection import SqliteDatabase
    from stores.sqlite.shards import SqliteShardStore
    from stores.sqlite.staging import open_legacy_staging

    db = SqliteDatabase(settings.data_dir / SQLITE_FILE)
    legacy = open_legacy_staging(settings.data_dir / STAGING_FILE)  # None unless it still holds pages

    def close() -> None:
        db.close()
        if legacy is not None:
            legacy.close()

    return {
        **_document_stores(lambda name: SqliteCollection(db, name, SQLITE_INDEXES.get(name, ()))),
        "shards": SqliteShardStore(db),
        "staging": FileStagingStore(settings.data_dir / STAGING_DIR, legacy=legacy, recent=RecentPages()),
        "close": close,
        "transaction": db.write,
    }


def _cosmos_stores(settings: Settings, client: Any | None) -> dict[str, Any]:
    from stores.cosmos.client import CosmosDatabase, build_client
    from stores.cosmos.collection import CosmosCollection
    from stores.cosmos.shards import CosmosShardStore
    from stores.cosmos.staging import CosmosStagingStore

    owned = client is None  # close only a client built here, never an injected one
    if client is None:
        if settings.cosmos_endpoint is None:
            raise ValueError("cosmos_endpoint is required for the cosmos record store")
        credential: Any
        if settings.cosmos_key is not None:
            credential = settings.cosmos_key.get_secret_value()
        else:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        client = build_client(settings.cosmos_endpoint, credential, verify_tls=settings.cosmos_verify_tls)
    database = CosmosDatabase(client, settings.cosmos_database)
    return {
        **_document_stores(lambda name: CosmosCollection(database.container(name))),
        "shards": CosmosShardStore(database.container("shards")),
        "staging": CosmosStagingStore(database.container("staging")),
        "close": client.close if owned else (lambda: None),
    }


def _secret_store(settings: Settings) -> SecretStore:
    if settings.secret_store == SecretStoreBackend.KEYVAULT:
        from stores.secrets.keyvault import KeyVaultSecretStore

        if settings.key_vault_url is None:
            raise ValueError("key_vault_url is required for the keyvault secret store")
        return KeyVaultSecretStore(settings.key_vault_url)
    return LocalSecretStore(settings.data_dir / SECRETS_DIR)


def build_stores(settings: Settings, *, cosmos_client: Any | None = None) -> Stores:
    """Every store, on the backends ``settings`` names. ``cosmos_client`` overrides the client
    built from the settings (tests pass one that trusts the local server's certificate)."""
    if settings.record_store == RecordStoreBackend.COSMOS:
        parts = _cosmos_stores(settings, cosmos_client)
    else:
        parts = _sqlite_stores(settings)
    return Stores(secrets=_secret_store(settings), **parts)
