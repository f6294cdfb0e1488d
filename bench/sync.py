"""Benchmark of the pull sync, end to end: sandbox + the engine on devhost, driven through its HTTP API.

1. Throughput: a full sync of 100,000 Salesforce Accounts (2,000-record pages) with no provider limit:
   records/s end to end (durable orchestration, per-page checkpoints, dedup and upserts included) and the
   peak memory of the devhost processes (the host and its language workers, summed).
2. Rate-limit sharing: three mappings of one integration (three concurrent sub-orchestrations sharing the
   integration's budget entity) against a sandbox that allows 25 requests/s, with small pages so requests
   dominate: achieved request rate as a share of 25/s, and limit errors after the first second.

With `--integrations N` the throughput part syncs N integrations of one tenant at once instead, each reading all
`--records` Accounts (N x records in all): several syncs sharing the worker process, as the hourly scheduler
starts them. With `--updates`, each throughput run then changes every Account at the sandbox and times the
incremental sync that reads them: records/s of a sync made of updates (the steady state of hourly syncs).

Run: `.venv/bin/python bench/sync.py [--records 100000] [--workers 3] [--limited-workers 3] [--integrations 1]
[--runs 1] [--updates]`; each throughput run prints this machine's speed at the time beside it
(``bench/machine.py``), and `--runs N` repeats it and prints the lowest, median and highest figure; both parts
run devhost with FUNCTIONS_WORKER_PROCESS_COUNT=3 (the host and two worker processes) unless told otherwise, as
`make run` does.
Targets on 2 cores: >= 25,000 records/s and < 300 MB peak; >= 90% of the allowed rate with no limit errors after
the first second.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import reference_ms  # noqa: E402
from tests.conftest import DevhostProcess, SandboxProcess, wait_status  # noqa: E402
from tests.e2e.conftest import salesforce_integration  # noqa: E402

KEY = "bench-key"


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (devhost's language worker processes)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            queue.extend(int(child) for child in children)
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] if len(fields) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


def _cpu_snapshot(pids: list[int]) -> tuple[list[float], float]:
    return [_cpu_seconds(pid) for pid in pids], _machine_busy_seconds()


def _cpu_during(before: tuple[list[float], float], pids: list[int]) -> str:
    """Each process's CPU seconds since ``before`` (host, workers..., sandbox last), and what the rest of the
    machine used meanwhile: other work on the 2 cores slows the sync down."""
    used = [_cpu_seconds(pid) - start for pid, start in zip(pids, before[0], strict=True)]
    foreign = _machine_busy_seconds() - before[1] - sum(used)
    return (" + ".join(f"{u:.2f}" for u in used[:-1]) + f" (host, workers), sandbox {used[-1]:.2f}; "
            f"everything else on the machine {max(foreign, 0.0):.2f}")


def _setup(api: httpx.Client, admin: httpx.Client, sandbox: str, body: dict[str, Any], name: str = "sf") -> None:
    tokens = admin.post("/oauth/tokens", json={"provider": "salesforce",
                                               "client_id": "sandbox-salesforce-client"}).json()
    api.put(f"/api/tenants/bench/integrations/{name}", json=body).raise_for_status()
    api.put(f"/api/tenants/bench/integrations/{name}/credentials", json={
        "type": "oauth2", "accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"],
        "clientId": "sandbox-salesforce-client", "clientSecret": "sandbox-salesforce-secret",
        "tokenUrl": f"{sandbox}/services/oauth2/token",
    }).raise_for_status()


def _sync(api: httpx.Client, timeout: float, names: tuple[str, ...] = ("sf",)) -> tuple[float, list[dict[str, Any]]]:
    """Full syncs of the integrations ``names``, started together: seconds until the last ends, their statuses."""
    started = time.perf_counter()
    ids = []
    for name in names:
        r = api.post(f"/api/tenants/bench/integrations/{name}/sync", json={"mode": "full"})
        r.raise_for_status()
        ids.append(r.json()["id"])
    statuses = [wait_status(api, instance_id, timeout=timeout) for instance_id in ids]
    return time.perf_counter() - started, statuses


def _stack(tmp: Path, *sandbox_args: str, env: dict[str, str] | None = None) -> tuple[SandboxProcess, DevhostProcess]:
    sandbox = SandboxProcess(*sandbox_args).start(timeout=120)
    host_env = {"CASTIEL_DATA_DIR": str(tmp / "data"), "DEVHOST_FUNCTION_KEY": KEY, **(env or {})}
    return sandbox, DevhostProcess(ROOT, tmp / "hub", host_env).start()


def _activity_times(hub: Path, instance_id: str) -> dict[str, list[float]]:
    """Seconds from schedule to completion of each activity call in the sync's remaining task hub history
    (``continue_as_new`` keeps only the last generation of each mapping's orchestration)."""
    db = sqlite3.connect(hub / "taskhub.sqlite")
    try:
        rows = db.execute("SELECT instance_id, event FROM history WHERE instance_id LIKE ? ORDER BY instance_id, seq",
                          (f"{instance_id}%",)).fetchall()
    finally:
        db.close()
    scheduled: dict[tuple[str, int], tuple[str, float]] = {}
    times: dict[str, list[float]] = defaultdict(list)
    for instance, text in rows:
        event = json.loads(text)
        at = datetime.fromisoformat(event["Timestamp"].replace("Z", "+00:00")).timestamp()
        if event["EventType"] == 4:  # TaskScheduled
            scheduled[(instance, event["EventId"])] = (event["Name"], at)
        elif event["EventType"] == 5 and (instance, event["TaskScheduledId"]) in scheduled:  # TaskCompleted
            name, started = scheduled[(instance, event["TaskScheduledId"])]
            times[name].append(at - started)
    return times


def _where_the_time_goes(hub: Path, instance_id: str, seconds: float, pages: int) -> None:
    try:
        times = _activity_times(hub, instance_id)
    except (sqlite3.Error, OSError, KeyError, ValueError) as exc:  # the devhost's history is not a contract
        print(f"  (no activity breakdown: {exc})")
        return
    parts = [f"{name} {1000 * sum(ts) / len(ts):.0f} ms" for name, ts in sorted(times.items())
             if name.endswith("_page") and ts]
    print(f"  per page: {1000 * seconds / pages:.0f} ms of wall time; activity mean (schedule to completion, "
          f"last generation): {', '.join(parts)}; the next page's fetch runs during the save")


def _incremental_after_updates(api: httpx.Client, admin: httpx.Client, records: int) -> None:
    """Change every Account at the provider, then time the incremental sync that reads the changes: the
    steady-state path of a pull sync (updates of linked shards, not creates)."""
    admin.post("/salesforce/Account/update", json={"count": records, "fields": {"Industry": "Changed"}},
               timeout=300).raise_for_status()
    started = time.perf_counter()
    r = api.post("/api/tenants/bench/integrations/sf/sync", json={"mode": "incremental"})
    r.raise_for_status()
    stats = wait_status(api, r.json()["id"], timeout=900)["output"]["stats"]
    seconds = time.perf_counter() - started
    assert stats["updated"] == records, stats
    print(f"incremental sync after every record changed at the provider: {seconds:.1f} s = "
          f"{records / seconds:,.0f} records/s end to end ({stats['fetched']:,} fetched, {stats['updated']:,} "
          "updated)")


def throughput(records: int, workers: int, integrations: int = 1, updates: bool = False) -> float:
    """Run the throughput part once on a fresh stack; its records/s."""
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, host = _stack(Path(tmp), "--records", str(records), "--warm",
                               env={"FUNCTIONS_WORKER_PROCESS_COUNT": str(workers)})
        instance_id = ""
        try:
            with httpx.Client(base_url=host.url, headers={"x-functions-key": KEY}, timeout=60) as api, \
                    httpx.Client(base_url=f"{sandbox.url}/_admin", timeout=60) as admin:
                body = salesforce_integration(sandbox.url)
                body["entityMappings"] = body["entityMappings"][:1]
                body["rateLimits"] = {"requestsPerSecond": 10_000, "operationsPerMinute": {"fetch": 1_000_000}}
                names = ("sf",) if integrations == 1 else tuple(f"sf{n}" for n in range(integrations))
                for name in names:
                    _setup(api, admin, sandbox.url, body, name)
                assert host.proc is not None and sandbox.proc is not None
                ours = [*_process_tree(host.proc.pid), sandbox.proc.pid]
                before = _cpu_snapshot(ours)
                seconds, statuses = _sync(api, 900, names)
                during = _cpu_during(before, ours)
                for status in statuses:
                    out = status["output"]
                    assert out["status"] == "completed" and out["stats"]["created"] == records, out
                status = statuses[0]
                pages = sum(s["output"]["mappings"][0]["pages"] for s in statuses)
                total = records * integrations
                what = f"{integrations} integrations at once, {records:,} records each" if integrations > 1 else (
                    f"full sync of {records:,} records")
                print(f"{what}: {seconds:.1f} s = {total / seconds:,.0f} records/s end to end ({pages} pages)")
                assert host.proc is not None
                tree = _process_tree(host.proc.pid)
                peaks = [_peak_mb(pid) for pid in tree]
                cpu = [_cpu_seconds(pid) for pid in tree]
                print(f"devhost peak memory (VmHWM): {sum(peaks):.0f} MB in {len(tree)} process(es) "
                      f"({' + '.join(f'{p:.0f}' for p in peaks)}); CPU seconds since start: "
                      f"{' + '.join(f'{c:.1f}' for c in cpu)}")
                print(f"CPU seconds during the sync: {during}")
                instance_id = status["instanceId"]
                if updates and integrations == 1:
                    _incremental_after_updates(api, admin, records)
        finally:
            host.stop()
            sandbox.stop()
        if instance_id and integrations == 1:
            _where_the_time_goes(Path(tmp) / "hub", instance_id, seconds, pages)
    return total / seconds


def repeated(runs: int, records: int, workers: int, integrations: int, updates: bool = False) -> None:
    """The throughput part ``runs`` times, each beside this machine's speed at the time (``bench.machine``)."""
    results: list[tuple[float, float]] = []
    for run in range(1, runs + 1):
        reference = reference_ms()
        print(f"run {run}/{runs}: machine reference {reference:.0f} ms (CPU time of a fixed workload; lower is faster)")
        results.append((throughput(records, workers, integrations, updates), reference))
    if runs > 1:
        rates = sorted(rate for rate, _ in results)
        print(f"{runs} runs: {rates[0]:,.0f} / {statistics.median(rates):,.0f} / {rates[-1]:,.0f} records/s "
              f"(lowest / median / highest)")
        print("  records/s against the machine reference: " + ", ".join(
            f"{rate:,.0f} at {reference:.0f} ms" for rate, reference in sorted(results, key=lambda r: r[1])))


def shared_budget(limit: float, records: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, host = _stack(Path(tmp), "--records", str(records), "--rate-limit", str(limit), "--page-size-max",
                               "200", "--warm", env={"FUNCTIONS_WORKER_PROCESS_COUNT": str(workers)})
        try:
            with httpx.Client(base_url=host.url, headers={"x-functions-key": KEY}, timeout=60) as api, \
                    httpx.Client(base_url=f"{sandbox.url}/_admin", timeout=60) as admin:
                body = salesforce_integration(sandbox.url)
                opportunity = {"externalEntity": "Opportunity", "shardTypeId": "opportunity", "direction": "pull",
                               "fieldMappings": [{"source": "Name", "target": "name"}]}
                body["entityMappings"] = [*body["entityMappings"], opportunity]
                body["rateLimits"] = {"requestsPerSecond": limit, "operationsPerMinute": {"fetch": 1_000_000}}
                _setup(api, admin, sandbox.url, body)
                admin.post("/counters/reset")
                seconds, [status] = _sync(api, 900)
                assert status["output"]["status"] == "completed", status["output"]
                timeline = admin.get("/counters").json()["timeline"]["salesforce"]
        finally:
            host.stop()
            sandbox.stop()
    # [second, admitted, limited, faulted] per wall-clock second. The first and last busy seconds are
    # partial (the sync starts and ends somewhere inside them), so the rate is measured over the full
    # seconds between them; counting the two edges as whole seconds understates any pacing.
    busy = [row for row in timeline if row[1] or row[2]]
    first, last = busy[0][0], busy[-1][0]
    admitted = sum(row[1] for row in busy)
    interior = [row for row in busy if first < row[0] < last]
    late_errors = sum(row[2] for row in busy if row[0] > first)
    span = last - first + 1
    if len(interior) >= 2:
        rate = sum(row[1] for row in interior) / (last - first - 1)
        basis = f"{sum(row[1] for row in interior)} of them in the {last - first - 1} full seconds between the first"
        basis += " and the last"
    else:
        rate, basis = admitted / span, "too short for full seconds: whole span"
    print(f"3 concurrent mappings, one budget, limit {limit:g} req/s, {workers} worker process(es): "
          f"{admitted} requests in {span} busy seconds, "
          f"{basis}: {rate:.1f} req/s ({100 * rate / limit:.0f}% of the limit); limit errors after the first "
          f"second: {late_errors} (in the first second: {sum(row[2] for row in busy if row[0] == first)})")
    print(f"  whole span including the partial first and last seconds: {admitted / span:.1f} req/s "
          f"({100 * admitted / span / limit:.0f}%)")
    print(f"  sync wall time {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3,
                        help="FUNCTIONS_WORKER_PROCESS_COUNT of the throughput run (language worker processes)")
    parser.add_argument("--limit", type=float, default=25.0)
    parser.add_argument("--limited-records", type=int, default=20_000,
                        help="records per object in part 2 (200-record pages: 300 requests, about 12 s at 25/s)")
    parser.add_argument("--limited-workers", type=int, default=3,
                        help="FUNCTIONS_WORKER_PROCESS_COUNT of the rate-limit run")
    parser.add_argument("--integrations", type=int, default=1,
                        help="integrations synced at once in the throughput part, each reading every record")
    parser.add_argument("--runs", type=int, default=1,
                        help="run the throughput part this many times (this machine's speed drifts between runs)")
    parser.add_argument("--updates", action="store_true",
                        help="after each full sync, change every record at the provider and time the incremental sync")
    parser.add_argument("--skip-throughput", action="store_true", help="run only the rate-limit part")
    parser.add_argument("--skip-rate", action="store_true", help="run only the throughput part")
    args = parser.parse_args()
    if not args.skip_throughput:
        repeated(max(1, args.runs), args.records, args.workers, args.integrations, args.updates)
    if not args.skip_rate:
        shared_budget(args.limit, args.limited_records, args.limited_workers)


if __name__ == "__main__":
    main()
