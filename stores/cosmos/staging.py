"""``StagingStore`` on Cosmos DB: a page is split into parts that fit Cosmos's 2 MB item limit.

Each part is an item ``<hash of key>.<n>`` (keys may hold ``/``, which Cosmos ids may not)
carrying ``stagingKey``, ``part`` and ``parts``; a read fetches every part with one partition
query and checks none is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from azure.cosmos import ContainerProxy

from stores.cosmos.client import translated
from stores.documents import sortable_time, utc_now
from stores.errors import StoreError

PART_BYTES = 1_500_000  # under the 2 MB item limit, with room for the envelope


def split_parts(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive runs of records whose JSON stays under ``PART_BYTES`` (at least one record each)."""
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for record in records:
        record_size = len(json.dumps(record, separators=(",", ":")))
        if parts[-1] and size + record_size > PART_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(record)
        size += record_size
    return parts


def part_id(key: str, n: int) -> str:
    return f"stg-{hashlib.sha256(key.encode()).hexdigest()[:40]}.{n}"


class CosmosStagingStore:
    def __init__(self, container: ContainerProxy, clock: Callable[[], datetime] = utc_now) -> None:
        self._c = container
        self._clock = clock

    def _parts(self, tenant_id: str, key: str) -> list[dict[str, Any]]:
        with translated():
            return list(self._c.query_items(
                "SELECT * FROM c WHERE c.tenantId = @t AND c.stagingKey = @k",
                parameters=[{"name": "@t", "value": tenant_id}, {"name": "@k", "value": key}],
                partition_key=tenant_id,
            ))

    def put(self, tenant_id: str, key: str, records: list[dict[str, Any]]) -> None:
        self.delete(tenant_id, key)  # an overwrite with fewer parts must not leave stale ones
        parts, staged_at = split_parts(records), sortable_time(self._clock())
        with translated():
            for n, part in enumerate(parts):
                self._c.upsert_item({"id": part_id(key, n), "tenantId": tenant_id, "stagingKey": key,
                                     "part": n, "parts": len(parts), "stagedAt": staged_at, "records": part})

    def get(self, tenant_id: str, key: str) -> list[dict[str, Any]] | None:
        items = sorted(self._parts(tenant_id, key), key=lambda item: item["part"])
        if not items:
            return None
        if len(items) != items[0]["parts"]:
            raise StoreError(f"staged page {key!r} is incomplete ({len(items)} of {items[0]['parts']} parts)")
        return [record for item in items for record in item["records"]]

    def delete(self, tenant_id: str, key: str) -> bool:
        ids = [item["id"] for item in self._parts(tenant_id, key)]
        with translated():
            for item_id in ids:
                self._c.delete_item(item_id, partition_key=tenant_id)
        return bool(ids)

    def _delete_items(self, sql: str, parameters: list[dict[str, Any]], tenant_id: str | None) -> int:
        scope: dict[str, Any] = (
            {"partition_key": tenant_id} if tenant_id is not None else {"enable_cross_partition_query": True}
        )
        with translated():
            keys = [(i["tenantId"], i["id"]) for i in self._c.query_items(sql, parameters=parameters, **scope)]
            for tenant, item_id in keys:
                self._c.delete_item(item_id, partition_key=tenant)
        return len(keys)

    def delete_prefix(self, tenant_id: str, prefix: str) -> int:
        """Counts deleted items (parts), not pages."""
        return self._delete_items(
            "SELECT c.id, c.tenantId FROM c WHERE c.tenantId = @t AND STARTSWITH(c.stagingKey, @p)",
            [{"name": "@t", "value": tenant_id}, {"name": "@p", "value": prefix}], tenant_id,
        )

    def purge_before(self, cutoff: datetime) -> int:
        """Counts deleted items (parts), not pages."""
        return self._delete_items(
            "SELECT c.id, c.tenantId FROM c WHERE c.stagedAt < @cutoff",
            [{"name": "@cutoff", "value": sortable_time(cutoff)}], None,
        )
