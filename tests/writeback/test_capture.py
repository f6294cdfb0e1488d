"""Capture at the local-write seam, on both backends: which writes enter the outbox, and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.models import ExternalRelationship, Integration, Shard
from stores.factory import Stores
from stores.outbox import OutboxOp
from tests.stores.conftest import backend, cosmos, cosmos_client, stores  # noqa: F401 - fixtures
from writeback.capture import capture_local_write
from writeback.runtime import outbox_for

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Written:
    tenant_id: str
    shard_id: str
    before: Shard | None
    after: Shard | None


def integration(direction: str, enabled: bool = True) -> Integration:
    return Integration.model_validate({
        "provider": "salesforce", "connection": {"instanceUrl": "https://x.example"},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account", "direction": direction,
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
        "writeBack": {"enabled": enabled},
    })


def test_pushed_writes_are_captured_and_pull_only_ones_are_not(stores: Stores) -> None:  # noqa: F811
    stores.integrations.put("t", "push", integration("bidirectional"))
    stores.integrations.put("t", "pull", integration("pull"))
    stores.integrations.put("t", "off", integration("push", enabled=False))
    shards, outbox = stores.shards, outbox_for(stores.shards)

    def write(before: Shard | None, after_fn):  # type: ignore[no-untyped-def]
        return capture_local_write(shards, stores.integrations, "t", NOW, "account",
                                   lambda: Written("t", "s1", before, after_fn()))

    new = Shard(id="s1", tenant_id="t", shard_type_id="account", structured_data={"name": "A"})
    write(None, lambda: shards.create("t", new))
    [entry] = outbox.entries("t", "push")
    assert entry.op == OutboxOp.CREATE and entry.external_id is None
    assert outbox.entries("t", "pull") == [] and outbox.entries("t", "off") == []

    # Once linked (as a push would leave it), a local edit snapshots the synced data as the base.
    link = ExternalRelationship(system="salesforce", integration_id="push", external_id="001X",
                                remote_version="v1")
    outbox.ack("t", "push", "s1", entry.revision)
    linked = shards.patch("t", "s1", {"externalRelationships": [link.to_wire()]})
    written = write(linked, lambda: shards.patch("t", "s1", {"structuredData": {"name": "B"}}))
    rel = written.after.external_relationships[0]
    assert rel.sync_status.value == "pending" and rel.base_data == {"name": "A"}
    again = write(written.after, lambda: shards.patch("t", "s1", {"structuredData": {"name": "C"}}))
    assert again.after.external_relationships[0].base_data == {"name": "A"}  # still the synced state
    [entry] = outbox.entries("t", "push")
    assert (entry.op, entry.external_id, entry.revision) == (OutboxOp.UPDATE, "001X", 2)

    current = shards.get("t", "s1")
    write(current, lambda: shards.delete("t", "s1") and None)
    [entry] = outbox.entries("t", "push")
    assert (entry.op, entry.external_id, entry.remote_version) == (OutboxOp.DELETE, "001X", "v1")
