"""Decoded pages kept by the process that staged them: handed out once, only while the file is the one
written, bounded by records; the file stays the truth for every other read."""

from __future__ import annotations

from pathlib import Path

from stores.files.recent import RecentPages
from stores.files.staging import FileStagingStore


def _page(n: int, tag: str = "a") -> list[dict[str, object]]:
    return [{"externalId": f"{tag}{i}", "data": {"n": i}} for i in range(n)]


def _stores(tmp_path: Path, max_records: int = 100) -> tuple[FileStagingStore, FileStagingStore]:
    root = tmp_path / "staging"
    return FileStagingStore(root, recent=RecentPages(max_records)), FileStagingStore(root)


def test_the_next_read_gets_the_staged_records_themselves_then_the_file(tmp_path: Path) -> None:
    ours, _ = _stores(tmp_path)
    records = _page(3)
    ours.put("t1", "run/0/0/raw", records)
    first = ours.get("t1", "run/0/0/raw")
    assert first is records  # not decoded again
    second = ours.get("t1", "run/0/0/raw")
    assert second == records and second is not records  # a second reader decodes the file


def test_a_page_rewritten_by_another_process_is_read_from_its_file(tmp_path: Path) -> None:
    ours, theirs = _stores(tmp_path)
    ours.put("t1", "k", _page(3, "old"))
    theirs.put("t1", "k", _page(2, "new"))  # e.g. the activity ran again in another worker process
    assert ours.get("t1", "k") == _page(2, "new")


def test_a_deleted_page_is_not_handed_out(tmp_path: Path) -> None:
    ours, theirs = _stores(tmp_path)
    ours.put("t1", "k", _page(3))
    theirs.delete("t1", "k")
    assert ours.get("t1", "k") is None
    ours.put("t1", "k2", _page(3))
    ours.delete("t1", "k2")
    assert ours.get("t1", "k2") is None


def test_tenants_keep_their_own_pages(tmp_path: Path) -> None:
    ours, _ = _stores(tmp_path)
    ours.put("t1", "k", _page(1, "one"))
    ours.put("t2", "k", _page(1, "two"))
    assert ours.get("t2", "k") == _page(1, "two")
    assert ours.get("t1", "k") == _page(1, "one")


def test_the_oldest_pages_are_dropped_beyond_the_bound(tmp_path: Path) -> None:
    recent = RecentPages(max_records=5)
    store = FileStagingStore(tmp_path / "staging", recent=recent)
    pages = {key: _page(2, key) for key in ("a", "b", "c")}
    for key, records in pages.items():
        store.put("t1", key, records)
    assert store.get("t1", "a") is not pages["a"]  # dropped from memory (6 records > 5), read from its file
    assert store.get("t1", "a") == pages["a"]
    assert store.get("t1", "b") is pages["b"]
    assert store.get("t1", "c") is pages["c"]
    store.put("t1", "big", _page(6))  # larger than the bound: never kept
    assert store.get("t1", "big") == _page(6)
