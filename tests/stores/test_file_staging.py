"""The embedded backend's staged pages as files: names for any tenant id and key, atomic replacement,
purging by the injected clock (leftover temporary files included), and the fallback to pages an earlier
version left in the SQLite staging database."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.settings import Settings
from stores.factory import STAGING_DIR, STAGING_FILE, build_stores
from stores.files.staging import FileStagingStore
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.staging import SqliteStagingStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ODD = ["", ".", "..", "../x", "a/b", "a%2Fb", "a b+c#d", "Zoë/東京", "t\u0000\n", "x" * 1_000, "é" * 300]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> FileStagingStore:
    return FileStagingStore(tmp_path / "staging", clock=clock)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_odd_tenants_and_keys_are_kept_apart_and_stay_under_the_root(tmp_path: Path,
                                                                      store: FileStagingStore) -> None:
    for n, tenant in enumerate(ODD):
        for m, key in enumerate(ODD):
            store.put(tenant, key, [{"n": n, "m": m}])
    for n, tenant in enumerate(ODD):
        for m, key in enumerate(ODD):
            assert store.get(tenant, key) == [{"n": n, "m": m}]
    assert store.get("other", "a/b") is None and store.get("a/b", "other") is None
    files = _files(tmp_path / "staging")
    assert len(files) == len(ODD) ** 2  # no two names collide, no temporary file is left
    assert all(len(p.name.encode()) <= 255 and p.is_relative_to(tmp_path / "staging") for p in files)
    assert not any(p.name.endswith(".tmp") for p in files)
    # delete_prefix reads keys back from names, hashed (too long) names included.
    assert store.delete_prefix("a/b", "x") == 1
    assert store.delete_prefix("a/b", "") == len(ODD) - 1
    assert store.get("a/b", "a/b") is None
    # The key "a/b" is named "a%2Fb.page": matching the prefix on names, not on keys, would take it too.
    assert store.delete_prefix("a%2Fb", "a%") == 1
    assert store.get("a%2Fb", "a%2Fb") is None and store.get("a%2Fb", "a/b") == [{"n": 5, "m": 4}]
    assert store.delete("é" * 300, "é" * 300) and store.get("é" * 300, "é" * 300) is None
    assert not store.delete("é" * 300, "é" * 300)


def test_a_failed_put_keeps_the_previous_page_and_leaves_no_temporary_file(tmp_path: Path,
                                                                         store: FileStagingStore,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store.put("t1", "k", [{"v": 1}])
    with pytest.raises(TypeError):  # not JSON data: fails while encoding
        store.put("t1", "k", [{"when": NOW}])

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.put("t1", "k", [{"v": 2}])
    monkeypatch.undo()
    assert store.get("t1", "k") == [{"v": 1}]
    assert [p.name for p in _files(tmp_path / "staging")] == ["k.page"]


def test_readers_see_a_whole_page_while_it_is_replaced(store: FileStagingStore) -> None:
    small = [{"id": "s"}]
    big = [{"id": f"b{n}", "name": "x" * 200} for n in range(2_000)]
    store.put("t1", "k", small)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            store.put("t1", "k", big)
            store.put("t1", "k", small)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(200):
            assert store.get("t1", "k") in (small, big)  # never None, never a part of ``big``
    finally:
        stop.set()
        writer.join()


def test_purge_goes_by_the_staging_clock_and_removes_leftover_temporary_files(tmp_path: Path, clock: Clock,
                                                                              store: FileStagingStore) -> None:
    clock.now = NOW - timedelta(hours=3)
    store.put("t1", "old", [{"k": 1}])
    store.put("x" * 1_000, "y" * 1_000, [{"k": 2}])  # hashed names age the same way
    clock.now = NOW
    store.put("t1", "new", [{"k": 3}])
    tenant = tmp_path / "staging" / "t1.tenant"
    # What a crash between writing and renaming leaves behind: an old one and one being written right now.
    stale, fresh = tenant / "lost.page.0123456789abcdef.tmp", tenant / "busy.page.fedcba9876543210.tmp"
    stale.write_bytes(b"o[")
    fresh.write_bytes(b"o[")
    os.utime(stale, (NOW.timestamp() - 7_200, NOW.timestamp() - 7_200))
    assert store.get("t1", "lost") is None and store.delete_prefix("t1", "lost") == 0
    assert store.purge_before(NOW - timedelta(hours=4)) == 0
    assert store.purge_before(NOW - timedelta(hours=1)) == 2  # pages only: the leftover is not counted
    assert not stale.exists() and fresh.exists()
    assert store.get("t1", "old") is None and store.get("x" * 1_000, "y" * 1_000) is None
    assert store.get("t1", "new") == [{"k": 3}]
    assert store.purge_before(NOW + timedelta(microseconds=1)) == 1


def _legacy(data_dir: Path) -> None:
    """Pages a run in flight at the upgrade left in the earlier versions' staging database."""
    db = SqliteDatabase(data_dir / STAGING_FILE)
    legacy = SqliteStagingStore(db, clock=lambda: NOW - timedelta(days=2))
    legacy.put("t1", "run-1/0/7/raw", [{"id": "a", "data": {"n": 1}}])
    legacy.put("t1", "run-1/0/7/deleted", [{"id": "gone"}])
    legacy.put("t1", "run-1/0/8/mapped", [{"externalId": "b"}])
    legacy.put("t2", "run-1/0/7/raw", [{"id": "other tenant"}])
    legacy.put("t1", "run-2/0/0/raw", [{"id": "c"}])
    db.close()


def test_pages_staged_in_the_legacy_database_are_read_and_cleared(tmp_path: Path) -> None:
    _legacy(tmp_path)
    stores = build_stores(Settings(data_dir=tmp_path))
    try:
        staging = stores.staging
        assert isinstance(staging, FileStagingStore)
        assert staging.get("t1", "run-1/0/7/raw") == [{"id": "a", "data": {"n": 1}}]
        assert staging.get("t1", "run-1/0/7/deleted") == [{"id": "gone"}]
        assert staging.get("t3", "run-1/0/7/raw") is None
        staging.put("t1", "run-1/0/8/mapped", [{"externalId": "new"}])  # a file shadows the legacy row
        assert staging.get("t1", "run-1/0/8/mapped") == [{"externalId": "new"}]
        assert staging.delete("t1", "run-1/0/7/raw") and staging.get("t1", "run-1/0/7/raw") is None
        assert staging.delete("t1", "run-1/0/8/mapped") and staging.get("t1", "run-1/0/8/mapped") is None
        assert staging.delete_prefix("t1", "run-1/") == 1  # the legacy "deleted" page
        assert staging.get("t1", "run-1/0/7/deleted") is None
        assert staging.get("t2", "run-1/0/7/raw") == [{"id": "other tenant"}]
        assert staging.purge_before(NOW - timedelta(days=1)) == 2  # t2's page and run-2's
        assert staging.get("t1", "run-2/0/0/raw") is None
    finally:
        stores.close()
    # Drained: the next start deletes the legacy database instead of opening it for every miss.
    build_stores(Settings(data_dir=tmp_path)).close()
    assert not any(tmp_path.glob(STAGING_FILE + "*"))


def test_a_legacy_database_with_pages_is_kept(tmp_path: Path) -> None:
    _legacy(tmp_path)
    build_stores(Settings(data_dir=tmp_path)).close()
    stores = build_stores(Settings(data_dir=tmp_path))
    try:
        assert stores.staging.get("t1", "run-2/0/0/raw") == [{"id": "c"}]
    finally:
        stores.close()


def test_without_a_legacy_database_none_is_opened(tmp_path: Path) -> None:
    stores = build_stores(Settings(data_dir=tmp_path))
    try:
        staging = stores.staging
        assert isinstance(staging, FileStagingStore)
        staging.put("t1", "k", [{"a": 1}])
        assert staging.get("t1", "k") == [{"a": 1}] and staging.get("t1", "missing") is None
        assert staging.delete("t1", "k") and not staging.delete("t1", "k")
        assert staging.delete_prefix("t1", "") == 0 and staging.purge_before(datetime.now(UTC)) == 0
        assert (tmp_path / STAGING_DIR / "t1.tenant").is_dir()
        assert not any(t.name == f"checkpoint-{STAGING_FILE}" for t in threading.enumerate())
    finally:
        stores.close()
    assert not any(tmp_path.glob(STAGING_FILE + "*"))
