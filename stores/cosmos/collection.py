"""``DocumentCollection`` on a Cosmos DB container partitioned by ``/tenantId``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from azure.core import MatchConditions
from azure.cosmos import ContainerProxy

from stores.cosmos.client import read_or_none, strip_system, translated
from stores.cosmos.query import select
from stores.documents import Condition, Order, Stored

BATCH_LIMIT = 100  # Cosmos caps a transactional batch at 100 operations


class CosmosCollection:
    """Documents in one container; the tenant id is the partition key of every call."""

    def __init__(self, container: ContainerProxy) -> None:
        self._container = container

    @staticmethod
    def _stored(item: dict[str, Any]) -> Stored:
        body, etag = strip_system(item)
        return Stored(body, etag)

    def get(self, tenant_id: str, doc_id: str) -> Stored | None:
        item = read_or_none(self._container, tenant_id, doc_id)
        return self._stored(item) if item is not None else None

    def create(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> Stored:
        with translated():
            return self._stored(self._container.create_item({**body, "id": doc_id, "tenantId": tenant_id}))

    def upsert(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> tuple[Stored, bool]:
        # A one-operation batch is the single round trip that also says created (201) or replaced (200).
        doc = {**body, "id": doc_id, "tenantId": tenant_id}
        with translated():
            [result] = self._container.execute_item_batch([("upsert", (doc,))], partition_key=tenant_id)
        return self._stored(result["resourceBody"]), result["statusCode"] == 201

    def replace(self, tenant_id: str, doc_id: str, body: dict[str, Any], if_match: str | None) -> Stored:
        doc = {**body, "id": doc_id, "tenantId": tenant_id}
        kwargs: dict[str, Any] = {}
        if if_match is not None:
            kwargs = {"etag": if_match, "match_condition": MatchConditions.IfNotModified}
        with translated():
            return self._stored(self._container.replace_item(doc_id, doc, **kwargs))

    def delete(self, tenant_id: str, doc_id: str) -> bool:
        if read_or_none(self._container, tenant_id, doc_id) is None:
            return False
        with translated():
            self._container.delete_item(doc_id, partition_key=tenant_id)
        return True

    def query(
        self,
        tenant_id: str | None,
        where: Sequence[Condition] = (),
        order_by: Sequence[Order] = (),
        limit: int | None = None,
    ) -> list[Stored]:
        sql, params = select(tenant_id, where, order_by, limit)
        scope: dict[str, Any] = (
            {"partition_key": tenant_id} if tenant_id is not None else {"enable_cross_partition_query": True}
        )
        with translated():
            return [self._stored(item) for item in self._container.query_items(sql, parameters=params, **scope)]

    def delete_where(self, tenant_id: str | None, where: Sequence[Condition]) -> int:
        sql, params = select(tenant_id, where, projection="c.id, c.tenantId")
        scope: dict[str, Any] = (
            {"partition_key": tenant_id} if tenant_id is not None else {"enable_cross_partition_query": True}
        )
        with translated():
            keys = [(d["tenantId"], d["id"]) for d in self._container.query_items(sql, parameters=params, **scope)]
            by_tenant: dict[str, list[str]] = {}
            for tenant, doc_id in keys:
                by_tenant.setdefault(tenant, []).append(doc_id)
            for tenant, ids in by_tenant.items():
                for start in range(0, len(ids), BATCH_LIMIT):
                    ops = [("delete", (doc_id,)) for doc_id in ids[start:start + BATCH_LIMIT]]
                    self._container.execute_item_batch(ops, partition_key=tenant)
        return len(keys)
