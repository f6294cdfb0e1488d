"""Benchmark of write-back against the sandbox's per-operation limit for updates.

The sandbox limits Salesforce updates (PATCH) to ``--update-limit`` per minute (a token bucket holding
one minute's worth); the integration's budget is told the same limit (``rateLimits.operationsPerMinute``).
Setup creates ``--records`` Accounts through write-back (creates unlimited), then every shard is patched
once through the API (2,000 coalesced entries) and one drainer pushes them. Printed: the achieved update
rate as a share of the allowed rate, both over the whole push and net of the first minute's allowance
(which any limiter grants up front), and the sandbox's limit errors (in the first second and after).

Run: ``.venv/bin/python bench/writeback.py [--records 2000] [--update-limit 150]`` (the seeds' 150/min takes about
13 minutes; a higher limit is quicker but weighs the first minute's free allowance more). Target: at least 90% of
the allowed rate, no limit errors after the first second.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import DevhostProcess, SandboxProcess, wait_status  # noqa: E402

KEY = "bench-key"
API = "/api/tenants/bench"
APP = ROOT / "tests" / "writeback" / "app"


def _integration(sandbox: str, update_limit: int) -> dict[str, Any]:
    return {
        "provider": "salesforce",
        "connection": {"instanceUrl": sandbox, "tokenUrl": f"{sandbox}/services/oauth2/token",
                       "externalIdFields": {"Account": "External_Id__c"}},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account", "direction": "push",
                            "fieldMappings": [{"source": "Name", "target": "name"},
                                              {"source": "Industry", "target": "industry"}]}],
        "syncFrequency": {"type": "manual"},
        "writeBack": {"enabled": True},
        "rateLimits": {"requestsPerSecond": 10_000,
                       "operationsPerMinute": {"create": 1_000_000, "update": update_limit}},
    }


def _setup(api: httpx.Client, admin: httpx.Client, sandbox: str, update_limit: int) -> None:
    tokens = admin.post("/oauth/tokens", json={"provider": "salesforce",
                                               "client_id": "sandbox-salesforce-client"}).json()
    api.put(f"{API}/integrations/sf", json=_integration(sandbox, update_limit)).raise_for_status()
    api.put(f"{API}/integrations/sf/credentials", json={
        "type": "oauth2", "accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"],
        "clientId": "sandbox-salesforce-client", "clientSecret": "sandbox-salesforce-secret",
        "tokenUrl": f"{sandbox}/services/oauth2/token",
    }).raise_for_status()


def _drain(api: httpx.Client, timeout: float) -> float:
    started = time.perf_counter()
    r = api.post(f"{API}/integrations/sf/writeback")
    r.raise_for_status()
    status = wait_status(api, r.json()["id"], timeout=timeout)
    assert status["runtimeStatus"] == "Completed", status
    return time.perf_counter() - started


def run(records: int, update_limit: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = SandboxProcess("--records", "1", "--operation-limit", f"update={update_limit}").start()
        env = {"CASTIEL_DATA_DIR": f"{tmp}/data", "DEVHOST_FUNCTION_KEY": KEY, "PYTHONPATH": str(ROOT),
               "CASTIEL_WRITEBACK_SWEEP_ENABLED": "false", "CASTIEL_WRITEBACK_PUSH_CONCURRENCY": "4"}
        host = DevhostProcess(APP, Path(tmp) / "hub", env).start()
        try:
            with httpx.Client(base_url=host.url, headers={"x-functions-key": KEY}, timeout=60) as api, \
                    httpx.Client(base_url=f"{sandbox.url}/_admin", timeout=60) as admin:
                _setup(api, admin, sandbox.url, update_limit)
                for n in range(records):
                    api.post(f"{API}/shards", json={"id": f"b-{n}", "shardTypeId": "account",
                                                    "structuredData": {"name": f"Bench {n}"}}).raise_for_status()
                created = _drain(api, timeout=600)
                print(f"setup: {records} creates pushed in {created:.1f} s")
                for n in range(records):
                    api.patch(f"{API}/shards/b-{n}", json={"structuredData": {"industry": "Updated"}}
                              ).raise_for_status()
                admin.post("/counters/reset")
                seconds = _drain(api, timeout=3600)
                counters = admin.get("/counters").json()
                updated = sum(1 for r in admin.get("/salesforce/Account/records").json()["records"]
                              if r.get("Industry") == "Updated")
        finally:
            host.stop()
            sandbox.stop()
    _report(records, update_limit, seconds, updated, counters)


def _report(records: int, update_limit: int, seconds: float, updated: int, counters: dict[str, Any]) -> None:
    allowed = update_limit / 60.0
    rate = records / seconds
    net = max(records - update_limit, 0) / (seconds * allowed)
    timeline = counters["timeline"]["salesforce"]
    busy = [row for row in timeline if row[1] or row[2]]
    first = busy[0][0] if busy else 0
    late = sum(row[2] for row in busy if row[0] > first)
    early = sum(row[2] for row in busy if row[0] == first)
    print(f"{records} updates pushed in {seconds:.1f} s ({updated} verified in the sandbox): {rate:.1f} updates/s "
          f"against an allowed {allowed:.1f}/s ({update_limit}/min) = {100 * rate / allowed:.0f}% of the allowed rate; "
          f"net of the first minute's allowance {100 * net:.0f}%")
    print(f"limit errors: {early} in the first second, {late} after it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--update-limit", type=int, default=150,
                        help="updates per minute, sandbox and budget (the seeds' 150/min: about 13 minutes)")
    args = parser.parse_args()
    run(args.records, args.update_limit)


if __name__ == "__main__":
    main()
