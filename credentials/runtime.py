"""Composition: the credential service of this process, built once from Settings.

The activities call ``credential_service()``; tests build one with ``build_credential_service``
(their own stores, clock and HTTP transport).
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from core.settings import RecordStoreBackend, Settings
from credentials.lease import LEASE_COLLECTION, CredentialLeases
from credentials.models import RefreshPlan
from credentials.refresh import CredentialRefresher, RefreshPolicy
from credentials.service import CredentialService
from credentials.vault import Clock, CredentialStores, utc_now
from services import Services, get_services
from stores.documents import DocumentCollection
from stores.factory import SQLITE_FILE, Stores


def _cosmos_client(settings: Settings) -> Any:
    from stores.cosmos.client import build_client

    if settings.cosmos_endpoint is None:
        raise ValueError("cosmos_endpoint is required for the cosmos record store")
    if settings.cosmos_key is not None:
        return build_client(settings.cosmos_endpoint, settings.cosmos_key.get_secret_value(),
                            verify_tls=settings.cosmos_verify_tls)
    from azure.identity import DefaultAzureCredential

    return build_client(settings.cosmos_endpoint, DefaultAzureCredential(), verify_tls=settings.cosmos_verify_tls)


def lease_collection(settings: Settings, cosmos_client: Any | None = None) -> DocumentCollection:
    """The ``credential_leases`` collection on the record-store backend ``settings`` names
    (a table in the SQLite file, or a container partitioned by tenant, created if missing)."""
    if settings.record_store == RecordStoreBackend.COSMOS:
        from azure.cosmos import PartitionKey

        from stores.cosmos.client import PARTITION_KEY_PATH, translated
        from stores.cosmos.collection import CosmosCollection

        client = cosmos_client if cosmos_client is not None else _cosmos_client(settings)
        with translated():
            database = client.create_database_if_not_exists(settings.cosmos_database)
            container = database.create_container_if_not_exists(
                LEASE_COLLECTION, partition_key=PartitionKey(path=PARTITION_KEY_PATH))
        return CosmosCollection(container)
    from stores.sqlite.collection import SqliteCollection
    from stores.sqlite.connection import SqliteDatabase

    return SqliteCollection(SqliteDatabase(settings.data_dir / SQLITE_FILE), LEASE_COLLECTION)


def refresh_plan(settings: Settings) -> RefreshPlan:
    """The token refresher's timing; the ``*_seconds`` settings win over the ``*_minutes`` ones."""
    return RefreshPlan(
        interval_seconds=settings.token_refresh_interval_seconds or settings.token_refresh_interval_minutes * 60,
        threshold_seconds=settings.token_refresh_threshold_seconds or settings.token_refresh_threshold_minutes * 60,
        min_interval_seconds=settings.token_refresh_min_interval_seconds,
        max_per_generation=settings.token_refresh_max_per_generation,
    )


def build_credential_service(settings: Settings, stores: Stores, leases: DocumentCollection, *,
                             clock: Clock = utc_now, transport: httpx.AsyncBaseTransport | None = None
                             ) -> CredentialService:
    """A service over ``stores``; ``transport`` and ``clock`` are for tests."""
    bundle = CredentialStores(
        metas=stores.credentials, secrets=stores.secrets, integrations=stores.integrations, audit=stores.audit,
        leases=CredentialLeases(leases, ttl_seconds=settings.credential_lease_seconds, clock=clock),
    )
    policy = RefreshPolicy(lease_wait_seconds=settings.credential_lease_wait_seconds,
                           skew_seconds=settings.token_expiry_skew_seconds,
                           token_timeout_seconds=settings.token_request_timeout_seconds)
    refresher = CredentialRefresher(bundle, policy, clock=clock, transport=transport)
    return CredentialService(bundle, refresher, lease_wait_seconds=settings.credential_lease_wait_seconds,
                             clock=clock)


_lock = threading.Lock()
_built: tuple[Services, CredentialService] | None = None


def credential_service() -> CredentialService:
    """The process's credential service, over the process's ``Services`` (so the sync, the API and the
    token refresher share one set of stores); rebuilt when tests install new services."""
    global _built
    services = get_services()
    with _lock:
        if _built is None or _built[0] is not services:
            leases = lease_collection(services.settings)
            _built = (services, build_credential_service(services.settings, services.stores, leases))
        return _built[1]
