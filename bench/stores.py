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


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f} records/s  ({count:,} in {seconds:.2f} s)"


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

        start = time.perf_counter()
        for page in first:
            store.upsert_many("bench", page, PageIndex(integration_id="sf-1", run_id="run-1"))
        print(f"insert  upsert_many:                     {rate(args.records, time.perf_counter() - start)}")

        start = time.perf_counter()
        for page in second:
            ids = [s.external_relationships[0].external_id for s in page]
            found = store.find_by_external_ids("bench", "sf-1", ids)
            assert len(found) == len(page)
            store.upsert_many("bench", page, PageIndex(integration_id="sf-1", run_id="run-2"))
        print(f"update  find_by_external_ids + upsert:   {rate(args.records, time.perf_counter() - start)}")

        start = time.perf_counter()
        deleted = store.mark_deleted_except("bench", "sf-1", "account", "run-2", NOW)
        print(f"full-sync deletion scan (0 to delete):   {time.perf_counter() - start:.3f} s, deleted {deleted}")
        db.close()


if __name__ == "__main__":
    main()
