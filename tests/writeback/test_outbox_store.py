"""The outbox contract on every backend (SQLite table, documents on SQLite, documents on Cosmos DB
through the real client and the local server): coalescing, order, revision-checked acks, waiting and
dead entries. Same-transaction capture is SQLite's alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.models import Shard
from stores.cosmos.client import CosmosDatabase
from stores.cosmos.shards import CosmosShardStore
from stores.document_outbox import DocumentOutboxStore
from stores.outbox import OutboxChange, OutboxOp, OutboxStatus, OutboxStore
from stores.sqlite.collection import SqliteCollection
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.outbox import SqliteOutboxStore
from stores.sqlite.shards import SqliteShardStore
from tests.stores.conftest import cosmos, cosmos_client, cosmos_db  # noqa: F401 - fixtures
from writeback.runtime import outbox_for

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def change(shard_id: str, op: OutboxOp, external_id: str | None = None) -> OutboxChange:
    return OutboxChange(tenant_id="t", integration_id="i", shard_id=shard_id, op=op, entity="Account",
                        shard_type_id="account", external_id=external_id)


@pytest.fixture
def db(tmp_path: Path) -> SqliteDatabase:
    return SqliteDatabase(tmp_path / "x.db")


@pytest.fixture(params=["sqlite", "documents", "cosmos"])
def outbox(request: pytest.FixtureRequest, db: SqliteDatabase) -> OutboxStore:
    if request.param == "sqlite":
        return SqliteOutboxStore(db)
    if request.param == "documents":
        return DocumentOutboxStore(SqliteCollection(db, "outbox"))
    database: CosmosDatabase = request.getfixturevalue("cosmos_db")
    return outbox_for(CosmosShardStore(database.container("shards")))


def test_changes_to_one_record_coalesce_and_keep_their_place(outbox: OutboxStore) -> None:
    outbox.enqueue([change("a", OutboxOp.CREATE), change("b", OutboxOp.UPDATE, "B1")], NOW)
    for _ in range(5):
        outbox.enqueue([change("a", OutboxOp.UPDATE)], NOW)
    ready = outbox.ready("t", "i", NOW, 10)
    assert [(e.shard_id, e.op, e.revision) for e in ready] == [("a", OutboxOp.CREATE, 6), ("b", OutboxOp.UPDATE, 1)]
    outbox.enqueue([change("b", OutboxOp.DELETE, "B1")], NOW)
    assert outbox.get("t", "i", "b").op == OutboxOp.DELETE  # type: ignore[union-attr]


def test_ack_only_removes_the_revision_pushed(outbox: OutboxStore) -> None:
    outbox.enqueue([change("a", OutboxOp.CREATE)], NOW)
    outbox.enqueue([change("a", OutboxOp.UPDATE)], NOW)  # arrives while revision 1 is being pushed
    assert not outbox.ack("t", "i", "a", 1)
    assert outbox.amend("t", "i", "a", {"external_id": "X1"})
    entry = outbox.get("t", "i", "a")
    assert entry is not None and entry.op == OutboxOp.UPDATE and entry.external_id == "X1"
    assert outbox.ack("t", "i", "a", 2) and outbox.get("t", "i", "a") is None


def test_waiting_and_dead_entries_are_not_due(outbox: OutboxStore) -> None:
    outbox.enqueue([change("a", OutboxOp.DELETE, "A"), change("b", OutboxOp.UPDATE, "B")], NOW)
    outbox.amend("t", "i", "a", {"not_before": NOW + timedelta(seconds=30), "reason": "throttled"})
    outbox.amend("t", "i", "b", {"status": OutboxStatus.DEAD, "reason": "VALIDATION_ERROR: bad"})
    assert outbox.ready("t", "i", NOW, 10) == []
    assert outbox.next_due_at("t", "i") == NOW + timedelta(seconds=30)
    assert [e.shard_id for e in outbox.ready("t", "i", NOW + timedelta(seconds=31), 10)] == ["a"]
    assert outbox.integrations_with_work(NOW) == []
    assert outbox.integrations_with_work(NOW + timedelta(minutes=1)) == [("t", "i")]
    assert [e.reason for e in outbox.entries("t", "i")] == ["throttled", "VALIDATION_ERROR: bad"]


def test_capture_commits_or_rolls_back_with_the_shard_write(db: SqliteDatabase) -> None:
    shards, outbox = SqliteShardStore(db), SqliteOutboxStore(db)
    shard = Shard(id="s1", tenant_id="t", shard_type_id="account", structured_data={"name": "x"})
    with outbox.capturing() as tx:
        shards.create("t", shard)
        tx.enqueue([change("s1", OutboxOp.CREATE)], NOW)
    assert shards.get("t", "s1") is not None and outbox.get("t", "i", "s1") is not None

    class Boom(Exception):
        pass

    with pytest.raises(Boom), outbox.capturing() as tx:
        shards.patch("t", "s1", {"structuredData": {"name": "y"}})
        tx.enqueue([change("s1", OutboxOp.UPDATE)], NOW)
        raise Boom
    stored = shards.get("t", "s1")
    entry = outbox.get("t", "i", "s1")
    assert stored is not None and stored.structured_data == {"name": "x"}
    assert entry is not None and entry.revision == 1
