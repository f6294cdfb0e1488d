"""Cosmos DB plumbing shared by the Cosmos stores: the client, the containers, and the ONE place
where service errors become store errors.

Every container is partitioned on ``/tenantId``, so each tenant-scoped call names its tenant
as the partition key and another tenant's id is simply not there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey
from azure.cosmos import exceptions as cosmos_errors
from azure.cosmos.documents import SSLConfiguration

from stores.errors import RecordExists, RecordNotFound, StaleETag, StoreError, StoreUnavailable

PARTITION_KEY_PATH = "/tenantId"
SYSTEM_FIELDS = ("_rid", "_self", "_etag", "_ts", "_attachments")
_RETRYABLE_STATUS = {408, 429, 449, 503}

# Per-container indexing extras: cross-partition ORDER BY on two paths needs a composite index.
_COMPOSITE_INDEXES: dict[str, list[list[dict[str, str]]]] = {
    "integrations": [
        [{"path": "/ix/rank", "order": "ascending"}, {"path": "/ix/due", "order": "ascending"}],
        [{"path": "/ix/rank", "order": "ascending"}, {"path": "/id", "order": "ascending"}],
    ],
}
CONTAINERS = (
    "integrations", "shards", "syncstate", "runs", "webhooks", "audit", "deadletters", "staging", "credentials",
)


def build_client(
    endpoint: str, credential: Any, *, ca_cert: str | None = None, verify_tls: bool = True, **options: Any
) -> CosmosClient:
    """A client for ``endpoint``; ``credential`` is the account key or a token credential.

    ``ca_cert`` trusts a private CA (the local test server's); ``verify_tls=False`` is for the
    Cosmos emulator only. ``options`` go to ``CosmosClient`` as they are.
    """
    kwargs: dict[str, Any] = dict(options)
    if ca_cert:
        # The SDK skips verification for loopback endpoints unless an SSL configuration is given.
        ssl = SSLConfiguration()
        ssl.SSLCaCerts = ca_cert
        kwargs["ssl_config"] = ssl
    elif not verify_tls:
        kwargs["connection_verify"] = False
    return CosmosClient(endpoint, credential=credential, **kwargs)


@dataclass
class CosmosDatabase:
    """The database and its containers, created if missing once at startup."""

    client: CosmosClient
    database_name: str
    _containers: dict[str, ContainerProxy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        with translated():
            self.database: DatabaseProxy = self.client.create_database_if_not_exists(self.database_name)
            for name in CONTAINERS:
                policy: dict[str, Any] = {"indexingMode": "consistent", "includedPaths": [{"path": "/*"}]}
                if name in _COMPOSITE_INDEXES:
                    policy["compositeIndexes"] = _COMPOSITE_INDEXES[name]
                self._containers[name] = self.database.create_container_if_not_exists(
                    name, partition_key=PartitionKey(path=PARTITION_KEY_PATH), indexing_policy=policy
                )

    def container(self, name: str) -> ContainerProxy:
        return self._containers[name]


@contextmanager
def translated() -> Iterator[None]:
    """Turn Cosmos service errors into the store error tree."""
    try:
        yield
    except cosmos_errors.CosmosResourceNotFoundError as exc:
        raise RecordNotFound(str(exc.message)) from exc
    except cosmos_errors.CosmosResourceExistsError as exc:
        raise RecordExists(str(exc.message)) from exc
    except cosmos_errors.CosmosAccessConditionFailedError as exc:
        raise StaleETag(str(exc.message)) from exc
    except cosmos_errors.CosmosHttpResponseError as exc:
        raise _by_status(exc.status_code, str(exc.message)) from exc
    except cosmos_errors.CosmosBatchOperationError as exc:
        # A transactional batch fails as a whole; the failing operation's status says why.
        failed = exc.operation_responses[exc.error_index] if exc.operation_responses else {}
        raise _by_status(failed.get("statusCode", exc.status_code), f"batch operation {exc.error_index}") from exc
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise StoreUnavailable(f"cosmos unreachable: {exc}") from exc


def _by_status(status: int | None, message: str) -> StoreError:
    mapped: dict[int, type[StoreError]] = {404: RecordNotFound, 409: RecordExists, 412: StaleETag}
    if status in mapped:
        return mapped[status](message)
    if status in _RETRYABLE_STATUS:
        return StoreUnavailable(f"cosmos status {status}")
    return StoreError(f"cosmos status {status}: {message}")


def read_or_none(container: ContainerProxy, tenant_id: str, item_id: str) -> dict[str, Any] | None:
    """Point read; None when the item does not exist in this tenant's partition.

    The local Cosmos-compatible test server answers a missing item with a 500 instead of a 404.
    A 500 is therefore confirmed with a partition query: absent means not found, anything else
    re-raises, so a real service failure is never mistaken for a miss.
    """
    try:
        with translated():
            return container.read_item(item_id, partition_key=tenant_id)
    except RecordNotFound:
        return None
    except StoreError as exc:
        cause = exc.__cause__
        if not (isinstance(cause, cosmos_errors.CosmosHttpResponseError) and cause.status_code == 500):
            raise
        with translated():
            found = list(container.query_items(
                "SELECT * FROM c WHERE c.tenantId = @t AND c.id = @id",
                parameters=[{"name": "@t", "value": tenant_id}, {"name": "@id", "value": item_id}],
                partition_key=tenant_id,
            ))
        if found:
            raise
        return None


def strip_system(item: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The document without Cosmos system properties, and its ETag."""
    etag = item.get("_etag", "")
    return {k: v for k, v in item.items() if k not in SYSTEM_FIELDS}, etag
