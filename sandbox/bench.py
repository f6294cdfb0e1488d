"""Measure how fast the sandbox serves a full paged read: `python -m sandbox.bench [--records 100000]`.

Starts `python -m sandbox` as a separate process (so client and server do not share an interpreter), then
reads every Account through `query` + `nextRecordsUrl` with 2,000-record pages (started with `--warm`,
so generation is not timed): a first read, a steady-state read, and one where the client decodes JSON.
It also reads every HubSpot company through the list endpoint (100 per page). Prints records/s for each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import httpx

SOQL = ("SELECT Id, Name, Industry, Type, AnnualRevenue, Phone, Website, BillingCity, BillingCountry, "
        "OwnerId, Owner.Email, CreatedDate, SystemModstamp FROM Account ORDER BY SystemModstamp, Id")


def _cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (Linux /proc), to report the server's own cost per record."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def _token(client: httpx.Client, provider: str) -> str:
    client_id = f"sandbox-{provider}-client"
    response = client.post("/_admin/oauth/tokens", json={"provider": provider, "client_id": client_id})
    response.raise_for_status()
    return str(response.json()["access_token"])


def read_salesforce(client: httpx.Client, token: str, decode: bool) -> tuple[int, float]:
    headers = {"Authorization": f"Bearer {token}", "Sforce-Query-Options": "batchSize=2000"}
    started = time.perf_counter()
    response = client.get("/services/data/v65.0/query", params={"q": SOQL}, headers=headers)
    count, page = 0, json.loads(response.content)
    while True:
        count += len(page["records"])
        if page["done"]:
            break
        response = client.get(page["nextRecordsUrl"], headers=headers)
        # Without decode, only the paging fields are parsed: the server's cost dominates the timing.
        page = json.loads(response.content) if decode else _paging_only(response.content)
    return count, time.perf_counter() - started


def _paging_only(raw: bytes) -> dict[str, object]:
    head = raw[:400].decode()
    done = '"done":true' in head
    url = None if done else head.split('"nextRecordsUrl":"', 1)[1].split('"', 1)[0]
    return {"done": done, "nextRecordsUrl": url, "records": range(raw.count(b'{"attributes":{"type":"Account"'))}


def read_hubspot(client: httpx.Client, token: str) -> tuple[int, float]:
    headers, after, count = {"Authorization": f"Bearer {token}"}, None, 0
    started = time.perf_counter()
    while True:
        params = {"limit": "100", "properties": "name,domain,industry,city,country,phone"}
        body = client.get("/crm/v3/objects/companies", params={**params, **({"after": after} if after else {})},
                          headers=headers).json()
        count += len(body["results"])
        after = body.get("paging", {}).get("next", {}).get("after")
        if not after:
            return count, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.bench")
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--records", str(args.records),
                               "--warm"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().split()[3]
        print(f"start-up with every table generated ({args.records} records per object, 7 objects): "
              f"{time.perf_counter() - started:.2f}s")
        with httpx.Client(base_url=base, timeout=120) as client:
            sf_token = _token(client, "salesforce")
            for label, decode in (("first read", False), ("steady state", False),
                                  ("steady state, client decodes JSON", True)):
                cpu = _cpu_seconds(server.pid)
                count, seconds = read_salesforce(client, sf_token, decode)
                cpu = _cpu_seconds(server.pid) - cpu
                print(f"salesforce query, {label}: {count} records in {seconds:.2f}s = {count / seconds:,.0f}/s; "
                      f"server CPU {cpu:.2f}s = {count / cpu:,.0f} records per server CPU-second")
            read_hubspot(client, _token(client, "hubspot"))  # generate first
            count, seconds = read_hubspot(client, _token(client, "hubspot"))
            print(f"hubspot list (100/page), steady state: {count} records in {seconds:.2f}s "
                  f"= {count / seconds:,.0f}/s")
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
