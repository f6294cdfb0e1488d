"""Micro-benchmark of the SQLite shard store, the sync's hot path.

Upserts 100,000 shards in pages of 2,000 (first pass: creates; second pass: look up the page by
external id, as dedup does, then update), then runs full-sync deletion detection. Prints
records/s per phase. Shard objects are built before the clock starts: building them is the
mapping step's cost, not the store's.

    .venv/bin/python bench/stores.py [--records 100000] [--page 2000]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.models import ExternalRelationship, Shard  # noqa: E402
from stores.shards import PageIndex  # noqa: E402
from stores.sqlite.connection import SqliteDatabase  # noqa: E402
from stores.sqlite.shards import SqliteShardStore  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def make_pages(records: int, page_size: int, revision: int) -> list[list[Shard]]:
    shards = [
        Shard(
            id=f"shd-{n:08d}", tenant_id="bench", shard_type_id="account",
            structured_data={"name": f"Account {n}", "revenue": n * 10.5, "ownerEmail": f"owner{n % 97}@example.com",
                             "industry": "Software", "employees": n % 5000, "revision": revision},
            external_relationships=[ExternalRelationship(
                system="salesforce", integration_id="sf-1", external_id=f"001{n:015d}", last_synced_at=NOW,
                content_hash=f"{n:064x}")],
            created_at=NOW, updated_at=NOW,
        )
        for n in range(records)
    ]
    return [shards[i:i + page_size] for i in range(0, records, page_size)]


class Phase:
    """Wall-clock and CPU time of one phase; CPU time is the fairer figure on a shared machine."""

    def __init__(self, label: str, count: int) -> None:
        self.label, self.count = label, count

    def __enter__(self) -> Phase:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        print(f"{self.label:<40} {self.count / wall:>9,.0f} records/s wall ({wall:5.2f} s), "
              f"{self.count / cpu:>9,.0f} per CPU-second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=2_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = SqliteDatabase(Path(tmp) / "bench.db")
        store = SqliteShardStore(db)
        first, second = make_pages(args.records, args.page, 1), make_pages(args.records, args.page, 2)
        # The 200,000 pre-built input shards would otherwise be rescanned by every full GC pass
        # and charged to the store; a real sync holds one page at a time.
        gc.collect()
        gc.freeze()

        ids = [[s.external_relationships[0].external_id for s in page] for page in first]
        print(f"{args.records:,} shards in pages of {args.page:,} (SQLite, WAL)")

        with Phase("create: upsert_many", args.records):
            for page in first:
                store.upsert_many("bench", page, PageIndex(integration_id="sf-1", run_id="run-1"))
        with Phase("unchanged: find_links + mark_seen", args.records):
            for page_ids in ids:
                assert len(store.find_links("bench", "sf-1", page_ids)) == len(page_ids)
                store.mark_seen("bench", "sf-1", page_ids, "run-2")
        with Phase("update: find_by_external_ids + upsert", args.records):
            for page, page_ids in zip(second, ids, strict=True):
                assert len(store.find_by_external_ids("bench", "sf-1", page_ids)) == len(page)
                store.upsert_many("bench", page, PageIndex(integration_id="sf-1", run_id="run-2"))
        start = time.perf_counter()
        deleted = store.mark_deleted_except("bench", "sf-1", "account", "run-2", NOW)
        print(f"{'full-sync deletion scan':<40} {time.perf_counter() - start:.3f} s ({deleted} deleted)")
        db.close()


if __name__ == "__main__":
    main()
