"""SyncStateStore, RunStore and StagingStore contracts on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.models import MappingProgress, Run, RunStats, RunStatus
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.factory import STAGING_DIR, STAGING_FILE, Stores
from stores.files.staging import FileStagingStore
from stores.syncstate import SyncCheckpoint

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def checkpoint(cursor: object, mapping_key: str = "Account:account") -> SyncCheckpoint:
    return SyncCheckpoint(tenant_id="t1", integration_id="i1", mapping_key=mapping_key, cursor=cursor)


def test_checkpoint_version_cas(stores: Stores) -> None:
    state = stores.sync_state
    first = state.put("t1", checkpoint({"since": "a"}), expected_version=0)
    assert first.version == 1
    with pytest.raises(StaleETag):
        state.put("t1", checkpoint({"since": "x"}), expected_version=0)
    second = state.put("t1", checkpoint({"since": "b"}), expected_version=1)
    assert second.version == 2
    with pytest.raises(StaleETag):  # a replayed, older writer
        state.put("t1", checkpoint({"since": "old"}), expected_version=1)
    got = state.get("t1", "i1", "Account:account")
    assert got is not None and got.cursor == {"since": "b"} and got.version == 2
    assert state.get("t2", "i1", "Account:account") is None
    # Mapping keys with characters Cosmos forbids in ids still work.
    assert state.put("t1", checkpoint("x", mapping_key="users/delta#1"), expected_version=0).version == 1
    assert state.get("t1", "i1", "users/delta#1").cursor == "x"  # type: ignore[union-attr]
    assert state.delete_for_integration("t1", "i1") == 2
    assert state.get("t1", "i1", "Account:account") is None


def run(run_id: str, started: datetime, status: RunStatus = RunStatus.COMPLETED) -> Run:
    return Run(run_id=run_id, integration_id="i1", started_at=started, status=status)


def test_runs_create_update_list_purge(stores: Stores) -> None:
    runs = stores.runs
    runs.create("t1", run("r1", NOW - timedelta(days=40)))
    runs.create("t1", run("r2", NOW - timedelta(days=1)))
    runs.create("t1", run("r3", NOW - timedelta(days=50), RunStatus.RUNNING))
    runs.create("t2", run("r4", NOW - timedelta(days=45)))
    with pytest.raises(RecordExists):
        runs.create("t1", run("r1", NOW))
    progress = [MappingProgress(external_entity="Account", shard_type_id="account", pages=3)]
    updated = runs.update("t1", run("r2", NOW - timedelta(days=1)).model_copy(
        update={"stats": RunStats(fetched=10, created=7), "mappings": progress}))
    assert updated.stats.created == 7
    with pytest.raises(RecordNotFound):
        runs.update("t2", run("r2", NOW))
    assert runs.get("t1", "r2").mappings[0].pages == 3  # type: ignore[union-attr]
    assert runs.get("t2", "r2") is None
    assert [r.run_id for r in runs.list_for_integration("t1", "i1")] == ["r2", "r1", "r3"]
    assert runs.purge_older_than(NOW, days=30) == 2  # r1 and r4; the running r3 stays
    assert sorted(r.run_id for r in runs.list_for_integration("t1", "i1")) == ["r2", "r3"]


def test_cosmos_staging_splits_large_pages(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stores.cosmos.staging.PART_BYTES", 2_000)
    page = [{"Id": f"a{n}", "Name": "x" * 100} for n in range(100)]
    stores.staging.put("t1", "big", page)
    assert stores.staging.get("t1", "big") == page
    stores.staging.put("t1", "big", page[:3])
    assert stores.staging.get("t1", "big") == page[:3]


def test_staging_round_trip(stores: Stores, backend: str, tmp_path: Path) -> None:
    page = [{"Id": f"a{n}", "Name": f"Acme {n}", "nested": {"x": [1, 2]}} for n in range(2000)]
    stores.staging.put("t1", "run-1/0/3/raw", page)
    if backend == "sqlite":  # the embedded backend stages pages as files, and opens no staging database
        assert isinstance(stores.staging, FileStagingStore)
        assert [p.name for p in (tmp_path / STAGING_DIR).rglob("*.page")] == ["run-1%2F0%2F3%2Fraw.page"]
        assert not (tmp_path / STAGING_FILE).exists()
    assert stores.staging.get("t1", "run-1/0/3/raw") == page
    assert stores.staging.get("t2", "run-1/0/3/raw") is None
    stores.staging.put("t1", "run-1/0/3/raw", page[:5])
    assert stores.staging.get("t1", "run-1/0/3/raw") == page[:5]
    assert stores.staging.delete("t1", "run-1/0/3/raw")
    assert stores.staging.get("t1", "run-1/0/3/raw") is None
    assert not stores.staging.delete("t1", "run-1/0/3/raw")


def test_staging_cleanup_by_run_prefix_and_age(stores: Stores) -> None:
    for key in ("run-1/0/0/raw", "run-1/0/1/raw", "run-10/0/0/raw", "run-2/0/0/raw"):
        stores.staging.put("t1", key, [{"k": key}])
    stores.staging.put("t2", "run-1/0/0/raw", [{"k": "other tenant"}])
    assert stores.staging.delete_prefix("t1", "run-1/") == 2
    assert stores.staging.get("t1", "run-1/0/0/raw") is None
    assert stores.staging.get("t1", "run-10/0/0/raw") == [{"k": "run-10/0/0/raw"}]
    assert stores.staging.get("t2", "run-1/0/0/raw") is not None
    assert stores.staging.purge_before(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert stores.staging.purge_before(datetime.now(UTC) + timedelta(seconds=1)) == 3
    assert stores.staging.get("t1", "run-2/0/0/raw") is None
