"""``push_entry`` against an in-memory provider: settling the shard, exactly-once guards, idempotent deletes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.base import WriteResult
from core.errors import NotFound, PermanentError
from core.mapping import compile_mapping
from core.models import Integration, Shard
from core.settings import Settings
from stores.factory import Stores, build_stores
from stores.outbox import OutboxChange, OutboxOp
from writeback.external import write_mapper
from writeback.push import PushContext, PushStatus, push_entry
from writeback.runtime import outbox_for

NOW = datetime(2026, 3, 1, tzinfo=UTC)


class FakeProvider:
    provider = "salesforce"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def create(self, entity: str, data: dict[str, Any], idempotency_key: str | None = None) -> WriteResult:
        self.calls.append(("create", (data, idempotency_key)))
        return WriteResult(external_id="001NEW", version="v1", created=True)

    async def delete(self, entity: str, external_id: str, if_version: str | None = None) -> None:
        self.calls.append(("delete", external_id))
        raise NotFound("already gone")


def integration(connection: dict[str, Any]) -> Integration:
    return Integration.model_validate({
        "provider": "salesforce", "connection": {"instanceUrl": "https://x.example", **connection},
        "tenantId": "t", "integrationId": "i", "writeBack": {"enabled": True},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account", "direction": "push",
                            "fieldMappings": [{"source": "Name", "target": "name"},
                                              {"source": "Id", "target": "sfId"}]}],
    })


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[Stores]:
    bundle = build_stores(Settings(data_dir=tmp_path))
    yield bundle
    bundle.close()


def context(stores: Stores, provider: FakeProvider, connection: dict[str, Any]) -> PushContext:
    config = integration(connection)
    mapping = config.entity_mappings[0]
    return PushContext(config, compile_mapping(mapping), write_mapper("salesforce", mapping), provider,  # type: ignore[arg-type]
                       stores.shards, outbox_for(stores.shards), stores.audit, lambda: NOW)


def queued(stores: Stores, op: OutboxOp, attempts: int, external_id: str | None = None) -> Any:
    outbox = outbox_for(stores.shards)
    outbox.enqueue([OutboxChange(tenant_id="t", integration_id="i", shard_id="s1", op=op, entity="Account",
                                 shard_type_id="account", external_id=external_id)], NOW)
    outbox.amend("t", "i", "s1", {"attempts": attempts})
    return outbox.get("t", "i", "s1")


async def test_a_create_settles_the_shard_and_learns_the_id(stores: Stores) -> None:
    stores.shards.create("t", Shard(id="s1", tenant_id="t", shard_type_id="account", structured_data={"name": "A"}))
    provider = FakeProvider()
    ctx = context(stores, provider, {"externalIdFields": {"Account": "External_Id__c"}})
    assert await push_entry(ctx, queued(stores, OutboxOp.CREATE, 1)) == PushStatus.PUSHED
    assert provider.calls == [("create", ({"Name": "A"}, "s1"))]
    shard = stores.shards.get("t", "s1")
    assert shard is not None and shard.structured_data == {"name": "A", "sfId": "001NEW"}
    [rel] = shard.external_relationships
    assert (rel.external_id, rel.remote_version, rel.sync_status.value) == ("001NEW", "v1", "synced")
    assert outbox_for(stores.shards).get("t", "i", "s1") is None


async def test_a_create_without_a_provider_key_is_never_sent_twice(stores: Stores) -> None:
    stores.shards.create("t", Shard(id="s1", tenant_id="t", shard_type_id="account", structured_data={"name": "A"}))
    provider = FakeProvider()
    with pytest.raises(PermanentError, match="already attempted"):
        await push_entry(context(stores, provider, {}), queued(stores, OutboxOp.CREATE, 2))
    assert provider.calls == []


async def test_deleting_a_record_already_gone_counts_as_deleted(stores: Stores) -> None:
    provider = FakeProvider()
    status = await push_entry(context(stores, provider, {}), queued(stores, OutboxOp.DELETE, 1, "001OLD"))
    assert status == PushStatus.PUSHED and provider.calls == [("delete", "001OLD")]
    assert outbox_for(stores.shards).get("t", "i", "s1") is None
