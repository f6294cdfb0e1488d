"""``ShardStore`` on Cosmos DB: pages go out as transactional batches of 100 in the tenant's
partition; look-ups are one parameterised query per chunk of ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from azure.core import MatchConditions
from azure.cosmos import ContainerProxy

from core.models import Shard, shard_document
from stores.cosmos.client import read_or_none, strip_system, translated
from stores.cosmos.shard_docs import (
    SEP,
    document_to_doc,
    from_item,
    index_of,
    key_entry,
    link,
    stored_document,
    to_doc,
)
from stores.errors import RecordNotFound, StaleETag
from stores.fields import checked_name
from stores.shards import LinkInfo, PageIndex, ShardPage, UpsertCounts
from stores.tokens import chunks, unwrap_token, wire_time, wrap_token

BATCH = 100  # Cosmos's transactional batch limit
LOOKUP_CHUNK = 1000
_PROTECTED = frozenset({"id", "tenantId", "etag"})


class CosmosShardStore:
    """Shards in the ``shards`` container (partition key ``/tenantId``)."""

    def __init__(self, container: ContainerProxy) -> None:
        self._c = container

    @property
    def container(self) -> ContainerProxy:
        """The ``shards`` container (write-back finds its database here to open its outbox)."""
        return self._c

    def _query(self, sql: str, tenant_id: str, **params: Any) -> Iterable[dict[str, Any]]:
        parameters = [{"name": "@t", "value": tenant_id}] + [{"name": f"@{k}", "value": v} for k, v in params.items()]
        return self._c.query_items(sql, parameters=parameters, partition_key=tenant_id)

    def get(self, tenant_id: str, shard_id: str) -> Shard | None:
        item = read_or_none(self._c, tenant_id, shard_id)
        return from_item(item) if item is not None else None

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
    ) -> ShardPage:
        sql = "SELECT * FROM c WHERE c.tenantId = @t"
        params: dict[str, Any] = {}
        if shard_type_id is not None:
            sql += " AND c.shardTypeId = @type"
            params["type"] = shard_type_id
        if not include_deleted:
            sql += " AND c.deletedAt = null"
        if external_system is not None and external_id is not None:
            sql += " AND ARRAY_CONTAINS(c.ix.pairs, @pair)"
            params["pair"] = f"{external_system}{SEP}{external_id}"
        elif external_system is not None:
            sql += " AND ARRAY_CONTAINS(c.ix.systems, @system)"
            params["system"] = external_system
        elif external_id is not None:
            sql += " AND ARRAY_CONTAINS(c.ix.externalIds, @ext)"
            params["ext"] = external_id
        parameters = [{"name": "@t", "value": tenant_id}] + [{"name": f"@{k}", "value": v} for k, v in params.items()]
        with translated():
            pager = self._c.query_items(
                sql, parameters=parameters, partition_key=tenant_id, max_item_count=limit
            ).by_page(unwrap_token(continuation_token) if continuation_token else None)
            items = [from_item(item) for item in next(pager, [])]
            token = pager.continuation_token  # type: ignore[attr-defined]
        return ShardPage(items, wrap_token(token) if token else None)

    def create(self, tenant_id: str, shard: Shard) -> Shard:
        shard = shard.model_copy(update={"tenant_id": tenant_id})
        with translated():
            return from_item(self._c.create_item(to_doc(shard, {}, [])))

    def patch(self, tenant_id: str, shard_id: str, changes: Mapping[str, Any], if_match: str | None = None) -> Shard:
        bad = _PROTECTED.intersection(changes)
        if bad:
            raise ValueError(f"cannot patch {sorted(bad)}")
        item = read_or_none(self._c, tenant_id, shard_id)
        if item is None:
            raise RecordNotFound(f"shard {shard_id!r} not found")
        current, etag = strip_system(item)
        if if_match is not None and if_match != etag:
            raise StaleETag(f"shard {shard_id!r} changed since it was read")
        updated = Shard.model_validate({**from_item(item).model_dump(mode="json", by_alias=True), **changes})
        seen, keys = index_of(current)
        with translated():
            # Conditional on the ETag read above, so a concurrent writer makes this a StaleETag.
            saved = self._c.replace_item(
                shard_id, to_doc(updated, seen, keys), etag=etag, match_condition=MatchConditions.IfNotModified
            )
        return from_item(saved)

    def delete(self, tenant_id: str, shard_id: str, *, soft: bool = False, now: datetime | None = None) -> bool:
        if soft:
            if now is None:
                raise ValueError("a soft delete needs now")
            try:
                self.patch(tenant_id, shard_id, {"deletedAt": wire_time(now)})
            except RecordNotFound:
                return False
            return True
        try:
            with translated():
                self._c.delete_item(shard_id, partition_key=tenant_id)
        except RecordNotFound:
            return False
        return True

    def _linked_items(self, tenant_id: str, links: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        with translated():
            for part in chunks(list(links), LOOKUP_CHUNK):
                sql = "SELECT VALUE c FROM c JOIN l IN c.ix.links WHERE c.tenantId = @t AND ARRAY_CONTAINS(@links, l)"
                found.update((item["id"], item) for item in self._query(sql, tenant_id, links=list(part)))
        return found

    def find_by_external_ids(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str]
    ) -> dict[str, Shard]:
        """Linked shards by external id, soft-deleted ones included (a record may come back)."""
        wanted = set(external_ids)
        result: dict[str, Shard] = {}
        for item in self._linked_items(tenant_id, [link(integration_id, e) for e in wanted]).values():
            shard = from_item(item)
            for rel in shard.external_relationships:
                if rel.integration_id == integration_id and rel.external_id in wanted:
                    result[rel.external_id] = shard
        return result

    def find_documents_by_external_ids(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        wanted = set(external_ids)
        result: dict[str, dict[str, Any]] = {}
        for item in self._linked_items(tenant_id, [link(integration_id, e) for e in wanted]).values():
            document = stored_document(item)
            for rel in document["externalRelationships"]:
                if rel["integrationId"] == integration_id and rel["externalId"] in wanted:
                    result[rel["externalId"]] = document
        return result

    def find_links(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str], *, bodies: bool = False
    ) -> dict[str, LinkInfo]:
        wanted = set(external_ids)
        found: dict[str, LinkInfo] = {}
        # With ``bodies`` the whole items come back: one query per chunk instead of a second one for the
        # documents of the records that change.
        projection = "VALUE c" if bodies else "c.id, c.shardTypeId, c.deletedAt, c.externalRelationships"
        sql = f"SELECT {projection} FROM c JOIN l IN c.ix.links WHERE c.tenantId = @t AND ARRAY_CONTAINS(@links, l)"
        with translated():
            for part in chunks([link(integration_id, e) for e in wanted], LOOKUP_CHUNK):
                for item in self._query(sql, tenant_id, links=list(part)):
                    body = orjson.dumps(stored_document(item)).decode() if bodies else None
                    for rel in item["externalRelationships"]:
                        if rel["integrationId"] == integration_id and rel["externalId"] in wanted:
                            found[rel["externalId"]] = LinkInfo(item["id"], rel.get("contentHash"),
                                                                item.get("deletedAt") is not None,
                                                                item.get("shardTypeId"), body)
        return found

    def find_by_keys(self, tenant_id: str, shard_type_id: str, key_name: str, values: Sequence[str]) -> list[Shard]:
        """Live shards indexed under any of ``values`` for ``key_name``, each once."""
        found: dict[str, Shard] = {}
        sql = (
            "SELECT VALUE c FROM c JOIN k IN c.ix.keys WHERE c.tenantId = @t AND c.shardTypeId = @type "
            "AND c.deletedAt = null AND ARRAY_CONTAINS(@keys, k)"
        )
        with translated():
            for part in chunks([key_entry(key_name, v) for v in values], LOOKUP_CHUNK):
                for item in self._query(sql, tenant_id, type=shard_type_id, keys=list(part)):
                    found[item["id"]] = from_item(item)
        return list(found.values())

    def _prior_index(self, tenant_id: str, ids: Sequence[str]) -> dict[str, tuple[dict[str, str], list[str]]]:
        prior: dict[str, tuple[dict[str, str], list[str]]] = {}
        with translated():
            for part in chunks(list(ids), LOOKUP_CHUNK):
                sql = "SELECT c.id, c.ix FROM c WHERE c.tenantId = @t AND ARRAY_CONTAINS(@ids, c.id)"
                prior.update((item["id"], index_of(item)) for item in self._query(sql, tenant_id, ids=list(part)))
        return prior

    def _write_batches(self, tenant_id: str, docs: Sequence[dict[str, Any]]) -> UpsertCounts:
        created = updated = 0
        with translated():
            for part in chunks(docs, BATCH):
                results = self._c.execute_item_batch([("upsert", (doc,)) for doc in part], partition_key=tenant_id)
                created += sum(1 for r in results if r["statusCode"] == 201)
                updated += sum(1 for r in results if r["statusCode"] == 200)
        return UpsertCounts(created=created, updated=updated)

    def upsert_many(self, tenant_id: str, shards: Sequence[Shard], index: PageIndex | None = None) -> UpsertCounts:
        return self.upsert_documents(tenant_id, [shard_document(s) for s in shards], index)

    def upsert_documents(
        self, tenant_id: str, docs: Sequence[Mapping[str, Any]], index: PageIndex | None = None
    ) -> UpsertCounts:
        """Batches of 100 upserts; each batch is atomic, a page as a whole is idempotent to re-run."""
        foreign = [d["id"] for d in docs if d.get("tenantId") != tenant_id]
        if foreign:
            raise ValueError(f"shards of another tenant in the page: {foreign[:5]}")
        index = index or PageIndex()
        prior = self._prior_index(tenant_id, [d["id"] for d in docs])
        out = []
        for doc in docs:
            seen, keys = prior.get(doc["id"], ({}, []))
            if index.integration_id is not None and index.run_id is not None:
                seen[index.integration_id] = index.run_id
            if index.key_name is not None:
                prefix = key_entry(index.key_name, "")
                values = (index.key_values or {}).get(doc["id"], ())
                keys = [k for k in keys if not k.startswith(prefix)] + [key_entry(index.key_name, v) for v in values]
            out.append(document_to_doc(doc, seen, keys))
        return self._write_batches(tenant_id, out)

    def mark_seen(self, tenant_id: str, integration_id: str, external_ids: Sequence[str], run_id: str) -> int:
        items = self._linked_items(tenant_id, [link(integration_id, e) for e in external_ids])
        docs = []
        already = 0
        for item in items.values():
            body, _ = strip_system(item)
            seen = body.setdefault("ix", {}).setdefault("seen", {})
            if seen.get(integration_id) == run_id:  # a re-run page: nothing to rewrite
                already += 1
                continue
            seen[integration_id] = run_id
            docs.append(body)
        counts = self._write_batches(tenant_id, docs)
        return already + counts.created + counts.updated

    def mark_deleted_except(
        self, tenant_id: str, integration_id: str, shard_type_id: str, run_id: str, now: datetime
    ) -> int:
        # Rounds of at most 500: each round's shards leave the filter, so nothing is held in memory.
        seen_path = f'c.ix.seen["{checked_name(integration_id)}"]'
        sql = (
            "SELECT TOP 500 * FROM c WHERE c.tenantId = @t AND c.shardTypeId = @type AND c.deletedAt = null "
            f"AND ARRAY_CONTAINS(c.ix.integrations, @intg) AND (NOT IS_DEFINED({seen_path}) OR {seen_path} != @run)"
        )
        deleted_at, total = wire_time(now), 0
        while True:
            with translated():
                batch = [strip_system(item)[0] for item in
                         self._query(sql, tenant_id, type=shard_type_id, intg=integration_id, run=run_id)]
            if not batch:
                return total
            for body in batch:
                body["deletedAt"] = deleted_at
            self._write_batches(tenant_id, batch)
            total += len(batch)
