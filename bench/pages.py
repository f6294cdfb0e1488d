"""Micro-benchmark of the page activities a pull sync runs one page at a time: transform and save.

Stages Salesforce-shaped pages of 2,000 Accounts and runs the real ``transform_page`` and ``save_page`` code in
this process against the embedded stores, in three passes: new records (creates), the same records again
(unchanged), then every record changed (updates). Prints CPU milliseconds per page of each pass, and the mean
time of the shard store's query by external id (``GET /shards?externalId=``) over the shards written.

This machine's speed drifts by tens of percent within an hour, so timings compare badly across runs. With
``--instructions`` each pass is run again under valgrind (``cachegrind``, no cache simulation; install it with
``apt-get install valgrind``) and the figure is the instructions the pass executed per page: the run with the
passes up to it minus the run of the passes before it (each pass builds on the store the previous ones left),
everything else (start-up, building and staging every pass's pages) being equal. Instruction counts repeat to
within a fraction of a percent, so a change of a few percent shows.

With ``--beside-busy-thread`` a second thread runs Python the whole time, as other activities of a worker
process do, at the worker's GIL switch interval: the passes' wall time then shows how long a page waits to get
the GIL back each time it lets go of it (every step of a SQLite statement does).

    .venv/bin/python bench/pages.py [--pages 10] [--instructions] [--beside-busy-thread]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.valgrind import available as valgrind_available  # noqa: E402
from bench.valgrind import instructions  # noqa: E402

PASSES = ("transform", "create", "unchanged", "update")
PAGE = 2_000


def _raw(page: int) -> list[dict[str, Any]]:
    """A fetched page as the fetch activity stages it (a SOQL row in ``data``)."""
    rows = []
    for i in range(PAGE):
        n = page * PAGE + i
        ext = f"001Sb{n:013d}AAA"
        rows.append({"externalId": ext, "version": "2025-06-01T00:00:06.216+0000",
                     "modifiedAt": "2025-06-01T00:00:06.216000+00:00",
                     "data": {"attributes": {"type": "Account", "url": f"/services/data/v60.0/sobjects/Account/{ext}"},
                              "Id": ext, "Name": f"Umbrella GmbH {n}", "AnnualRevenue": 25_640_000.0 + n,
                              "Industry": "Electronics", "Owner": {"Email": f"owner{n % 97}@example.com"},
                              "SystemModstamp": "2025-06-01T00:00:06.000+0000"}})
    return rows


def _mapped(page: int, revision: int) -> list[dict[str, Any]]:
    """A transformed page as the save reads it (``revision`` changes every record's data)."""
    from core.hashing import content_hash

    items = []
    for i in range(PAGE):
        n = page * PAGE + i
        data = {"name": f"Umbrella GmbH {n}", "revenue": 25_640_000.0 + n + revision, "industry": "Electronics",
                "ownerEmail": f"owner{n % 97}@example.com"}
        items.append({"externalId": f"001Sb{n:013d}AAA", "version": f"v{revision}",
                      "modifiedAt": "2025-06-01T00:00:06.216000+00:00", "data": data,
                      "contentHash": content_hash(data)})
    return items


def _ref(run: str, page: int) -> dict[str, Any]:
    return {"tenantId": "bench", "integrationId": "sf", "runId": run, "mappingIndex": 0, "pageNo": page}


@contextmanager
def busy_thread() -> Iterator[None]:
    """A thread running Python until the block ends, at the devhost worker's GIL switch interval."""
    from devhost.workers import GIL_SWITCH_INTERVAL_SECONDS

    stop = threading.Event()

    def spin() -> None:
        total = 0
        while not stop.is_set():
            for n in range(1_000):
                total += n

    interval = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)


def run_passes(pages: int, upto: int, walls: dict[str, float] | None = None,
               per_page: dict[str, list[float]] | None = None) -> dict[str, float]:
    """Run the first ``upto`` passes (the others' pages are built and staged all the same); CPU seconds of each
    (this thread's), wall seconds into ``walls`` and each page's CPU seconds into ``per_page``."""
    os.environ["CASTIEL_DATA_DIR"] = tempfile.mkdtemp(prefix="castiel-pages-")
    from activities.sync_pages import _save, _transform
    from api.integrations import _create
    from core.models import Integration
    from services import get_services
    from tests.e2e.conftest import salesforce_integration

    body = salesforce_integration("http://sandbox.invalid")
    body["entityMappings"] = body["entityMappings"][:1]
    _create("bench", "sf", Integration.model_validate(body), datetime.now(UTC))
    staging = get_services().stores.staging
    spent: dict[str, float] = {}
    for number, name in enumerate(PASSES):
        revision = 1 if name == "update" else 0
        inputs = [_raw(p) if name == "transform" else _mapped(p, revision) for p in range(pages)]
        spent[name] = 0.0
        wall = 0.0
        for page, records in enumerate(inputs):
            key = f"{name}/0/{page}/in"
            staging.put("bench", key, records)
            if number >= upto:
                continue
            payload = {**_ref(name, page), "stagingKey": key}
            started, clock = time.thread_time(), time.perf_counter()
            if name == "transform":
                _transform(payload)
            else:
                mode = "incremental" if name == "update" else "full"  # changes come with incremental reads
                _save({**payload, "mode": mode, "checkpoint": {"page": page}})
            used = time.thread_time() - started
            spent[name] += used
            wall += time.perf_counter() - clock
            if per_page is not None:
                per_page.setdefault(name, []).append(used)
        if walls is not None:
            walls[name] = wall
    if upto == len(PASSES):
        spent["query"] = _query_by_external_id(pages)
    shutil.rmtree(os.environ["CASTIEL_DATA_DIR"], ignore_errors=True)
    return spent


def _query_by_external_id(pages: int, lookups: int = 50) -> float:
    """Mean wall seconds of ``GET /shards?externalId=``'s store query over the shards the passes wrote."""
    from services import get_services

    shards = get_services().stores.shards
    step = max(1, pages * PAGE // lookups)
    started = time.perf_counter()
    for n in range(0, pages * PAGE, step):
        assert len(shards.query("bench", external_id=f"001Sb{n:013d}AAA").items) == 1
    return (time.perf_counter() - started) / len(range(0, pages * PAGE, step))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--instructions", action="store_true", help="also count instructions under valgrind")
    parser.add_argument("--beside-busy-thread", action="store_true",
                        help="run the passes while another thread runs Python (prints wall time too)")
    parser.add_argument("--upto", type=int, default=len(PASSES), help=argparse.SUPPRESS)
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    walls: dict[str, float] = {}
    per_page: dict[str, list[float]] = {}
    if args.beside_busy_thread:
        with busy_thread():
            spent = run_passes(args.pages, args.upto, walls, per_page)
    else:
        spent = run_passes(args.pages, args.upto, walls, per_page)
    if args.quiet:
        return
    beside = ", beside a thread running Python" if args.beside_busy_thread else ""
    print(f"{args.pages} pages of {PAGE:,} records per pass, in process, embedded stores{beside}")
    for name in PASSES[:args.upto]:
        cpu, wall = spent[name] * 1000 / args.pages, walls[name] * 1000 / args.pages
        print(f"{name:<10} {cpu:7.1f} ms CPU per page, {wall:7.1f} ms wall")
    if "query" in spent:  # only after every pass (``--upto`` stops earlier)
        print(f"query by external id over {args.pages * PAGE:,} shards: {spent['query'] * 1000:.2f} ms (mean wall)")
    if args.pages >= 20:  # how a page's save grows with the store it writes into
        tenth = args.pages // 10
        creates = per_page["create"]
        print(f"creates, CPU per page: {1000 * sum(creates[:tenth]) / tenth:.1f} ms over the first {tenth} pages "
              f"(up to {tenth * PAGE:,} shards), {1000 * sum(creates[-tenth:]) / tenth:.1f} ms over the last "
              f"{tenth} (up to {args.pages * PAGE:,})")
    if not args.instructions or not valgrind_available():
        return
    counts = [instructions(__file__, "--pages", str(args.pages), "--quiet", "--upto", str(upto))
              for upto in range(len(PASSES) + 1)]
    for number, name in enumerate(PASSES):
        page_count = (counts[number + 1] - counts[number]) / args.pages
        print(f"{name:<10} {page_count / 1e6:7.1f} M instructions per page")


if __name__ == "__main__":
    main()
