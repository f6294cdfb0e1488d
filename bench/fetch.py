"""Micro-benchmark of the fetch activity a pull sync runs once per page, in process, against the sandbox.

Starts the sandbox (another process) with Salesforce Accounts, creates an integration and its OAuth credential
in the embedded stores, then runs the real ``fetch_page`` body page after page (2,000-record SOQL pages: the
HTTP request, JSON decoding, building the records and staging them) and prints its CPU milliseconds per page,
the first page left out (it opens the connection). The sandbox's own CPU is not counted.

With ``--instructions`` the run is repeated under valgrind (``cachegrind``, no cache simulation; the sandbox is
not traced) with 3 pages and with 3 + ``--pages``, and the figure is the difference per page: instruction counts
do not drift with the machine's speed as its CPU time does.

    .venv/bin/python bench/fetch.py [--pages 10] [--instructions]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.valgrind import available as valgrind_available  # noqa: E402
from bench.valgrind import instructions  # noqa: E402

PAGE = 2_000
CLIENT_ID, CLIENT_SECRET = "sandbox-salesforce-client", "sandbox-salesforce-secret"


def _integration(sandbox_url: str) -> None:
    """The bench tenant's Salesforce integration (one mapping, no request limit) and its OAuth credential."""
    import httpx

    from api.integrations import _create
    from core.models import Integration
    from core.models.credentials import CREDENTIAL_ADAPTER
    from credentials.runtime import credential_service
    from tests.e2e.conftest import salesforce_integration

    tokens = httpx.post(f"{sandbox_url}/_admin/oauth/tokens",
                        json={"provider": "salesforce", "client_id": CLIENT_ID}).json()
    body = salesforce_integration(sandbox_url)
    body["entityMappings"] = body["entityMappings"][:1]
    body["rateLimits"] = {"requestsPerSecond": 10_000, "operationsPerMinute": {"fetch": 1_000_000}}
    _create("bench", "sf", Integration.model_validate(body), datetime.now(UTC))
    credential_service().save("bench", "sf", CREDENTIAL_ADAPTER.validate_python({
        "type": "oauth2", "accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"],
        "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "tokenUrl": f"{sandbox_url}/services/oauth2/token",
    }))


async def _fetch_pages(pages: int) -> float:
    """Fetch ``pages`` pages of a full read; CPU seconds per page after the first."""
    from activities.sync_pages import _fetch, _gc
    from services import get_services

    staging = get_services().stores.staging
    cursor, spent = None, 0.0
    for page in range(pages):
        payload = {"tenantId": "bench", "integrationId": "sf", "runId": "bench", "mappingIndex": 0,
                   "pageNo": page, "mode": "full", "cursor": cursor, "pageSize": PAGE}
        started = time.process_time()
        with _gc.paused():  # as ``fetch_page`` runs it
            out = await _fetch(payload)
        if page > 0:
            spent += time.process_time() - started
        if out.get("error"):
            raise RuntimeError(f"the fetch failed: {out['error']}")
        cursor = out.get("nextCursor")
        staging.delete("bench", out["stagingKey"])
    return spent / max(1, pages - 1)


def run(pages: int) -> float:
    os.environ["CASTIEL_DATA_DIR"] = tempfile.mkdtemp(prefix="castiel-fetch-")
    import function_app  # noqa: F401 - the app's composition, as a worker process loads it
    from tests.conftest import SandboxProcess

    sandbox = SandboxProcess("--records", str(PAGE * pages), "--warm").start(timeout=120)
    try:
        _integration(sandbox.url)
        gc.collect()
        gc.freeze()  # the loaded app stays out of collections, as in a worker process
        return asyncio.run(_fetch_pages(pages))
    finally:
        sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--instructions", action="store_true", help="also count instructions under valgrind")
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pages < 2:
        parser.error("--pages must be at least 2 (the first page is not counted)")
    per_page = run(args.pages)
    if args.quiet:
        return
    print(f"fetch activity, {PAGE:,}-record Salesforce pages from the sandbox: {per_page * 1000:.1f} ms CPU per page "
          f"({args.pages - 1} pages after the first, in process)")
    if not args.instructions or not valgrind_available():
        return
    base, more = (instructions(__file__, "--pages", str(n), "--quiet") for n in (3, 3 + args.pages))
    print(f"fetch activity: {(more - base) / args.pages / 1e6:.1f} M instructions per page")


if __name__ == "__main__":
    main()
