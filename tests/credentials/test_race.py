"""The race of issue 5: many concurrent requests meet a 401 on one credential whose provider rotates
refresh tokens and revokes the whole family on reuse (RFC 9700 §4.14.2), as the sandbox does.

Through the credential hook exactly one token request is made, no ``invalid_grant`` happens and every
request succeeds. The control test shows that the same scenario with independent refreshes (each
adapter renewing on its own) does break the family, so the first test can fail.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.base import FetchMode, FetchRequest
from adapters.http.credentials import merge_token
from adapters.http.oauth import OAuthToken
from adapters.registry import build_adapter
from core.models import CredentialStatus
from credentials.service import CredentialService
from credentials.vault import read_secret, write_secret
from tests.conftest import ROOT
from tests.credentials.conftest import TENANT, Harness, SandboxProcess, integration_body, oauth_credential

THREADS = 4
PER_THREAD = 50  # 4 x 50 = 200 concurrent requests
PROCESSES, PER_PROCESS = 2, 100
TIMINGS: list[float] = []
ACCOUNTS = FetchRequest(entity="Account", mode=FetchMode.FULL, page_size=5, fields=["Id", "Name"])


def real_clock() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def rotating(sandbox: SandboxProcess, harness: Harness) -> dict[str, Any]:
    sandbox.configure(rotate_refresh_tokens=True, revoke_family_on_reuse=True)
    credential = oauth_credential(sandbox, "salesforce", expires_at=real_clock() + timedelta(hours=2))
    harness.add("sf-race", credential, integration_body(sandbox.url))
    sandbox.admin("POST", "/oauth/expire", {"provider": "salesforce"})  # every request now meets a 401
    sandbox.admin("POST", "/counters/reset")
    return {"instanceUrl": sandbox.url, "apiVersion": "v60.0"}


def run_workers(make_adapter: Any, threads: int = THREADS, per_thread: int = PER_THREAD) -> list[Any]:
    """THREADS threads, each with its own event loop and PER_THREAD adapters built *before* any request
    is sent (so all of them hold the expired token), then all requests fired at once."""
    results: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    async def worker(index: int) -> None:
        # One connection pool per thread (building an httpx client without one costs ~50 ms of TLS setup).
        transport = httpx.AsyncHTTPTransport()
        adapters = [make_adapter(index, transport) for _ in range(per_thread)]
        await asyncio.get_running_loop().run_in_executor(None, barrier.wait)

        async def one(adapter: Any) -> Any:
            try:
                return len((await adapter.fetch_page(ACCOUNTS)).records)
            except Exception as exc:  # noqa: BLE001 - the test counts failures of any kind
                return exc

        started = time.perf_counter()
        found = await asyncio.gather(*(one(a) for a in adapters))
        elapsed = time.perf_counter() - started
        await transport.aclose()
        with lock:
            results.extend(found)
            TIMINGS.append(elapsed)

    workers = [threading.Thread(target=asyncio.run, args=(worker(i),)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(60)
    return results


def test_200_concurrent_401s_make_exactly_one_token_request(sandbox: SandboxProcess, harness: Harness,
                                                              rotating: dict[str, Any]) -> None:
    # One service per thread: separate lease-store connections, as separate workers would have.
    services = [harness.service(clock=real_clock) for _ in range(THREADS)]

    def make_adapter(index: int, transport: httpx.AsyncBaseTransport) -> Any:
        session = services[index].open(TENANT, "sf-race")
        return build_adapter("salesforce", rotating, session.credential, on_token=session.on_token,
                             transport=transport)

    TIMINGS.clear()
    results = run_workers(make_adapter)
    print(f"200 concurrent 401s: all answered within {max(TIMINGS):.2f} s")
    counters = sandbox.admin("GET", "/counters")
    failures = [r for r in results if not isinstance(r, int)]
    assert len(results) == THREADS * PER_THREAD and failures == [], failures[:3]
    assert all(r > 0 for r in results)
    assert counters["auth_errors"].get("salesforce") == THREADS * PER_THREAD  # every request met a 401
    assert counters["grants"].get("salesforce:refresh_token") == 1
    assert counters["invalid_grants"].get("salesforce", 0) == 0

    meta = harness.stores.credentials.get(TENANT, "sf-race")
    assert meta is not None and meta.version == 2 and meta.status == CredentialStatus.ACTIVE
    # The rotated refresh token was persisted and still works (the family was never revoked).
    stored = read_secret(harness.stores.secrets, TENANT, "sf-race")
    assert stored is not None
    outcome = asyncio.run(services[0].refresher.refresh(
        services[0].open(TENANT, "sf-race").ref, stale_access_token=stored["accessToken"], reason="test"))
    assert outcome.result.value == "refreshed"
    assert sandbox.admin("GET", "/counters")["invalid_grants"].get("salesforce", 0) == 0


def test_control_independent_refreshes_break_the_token_family(sandbox: SandboxProcess, harness: Harness,
                                                               rotating: dict[str, Any]) -> None:
    service: CredentialService = harness.service(clock=real_clock)
    stored = read_secret(harness.stores.secrets, TENANT, "sf-race")
    assert stored is not None
    write_lock = threading.Lock()

    def make_adapter(index: int, transport: httpx.AsyncBaseTransport) -> Any:
        credential = dict(stored)

        async def persist(token: OAuthToken) -> None:  # what a naive on_token does: just save it
            with write_lock:
                write_secret(service.stores.secrets, TENANT, "sf-race", merge_token(credential, token))

        return build_adapter("salesforce", rotating, credential, on_token=persist, transport=transport)

    results = run_workers(make_adapter, threads=2, per_thread=10)
    counters = sandbox.admin("GET", "/counters")
    assert counters["grants"].get("salesforce:refresh_token", 0) >= 1
    assert counters["invalid_grants"].get("salesforce", 0) > 0
    assert any(not isinstance(r, int) for r in results)


def test_200_concurrent_401s_across_worker_processes(sandbox: SandboxProcess, harness: Harness,
                                                     tmp_path: Path) -> None:
    """The same race between separate worker processes sharing the record store (as Azure workers do):
    PROCESSES x PER_PROCESS requests."""
    sandbox.configure(rotate_refresh_tokens=True, revoke_family_on_reuse=True)
    credential = oauth_credential(sandbox, "salesforce", expires_at=real_clock() + timedelta(hours=2))
    harness.add("sf-procs", credential, integration_body(sandbox.url))
    sandbox.admin("POST", "/oauth/expire", {"provider": "salesforce"})
    sandbox.admin("POST", "/counters/reset")
    go = tmp_path / "go"
    workers = [subprocess.Popen(
        [sys.executable, "-m", "tests.credentials.race_worker", str(harness.settings.data_dir), sandbox.url,
         str(go), str(PER_PROCESS)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(PROCESSES)]
    try:
        for worker in workers:
            assert worker.stdout is not None
            line = worker.stdout.readline()
            assert line.strip() == "ready", line + worker.stdout.read()
        go.touch()
        outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(5)
    results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    print(f"{PROCESSES} processes x {PER_PROCESS}: answered within {max(r['seconds'] for r in results):.2f} s")
    assert [r["errors"] for r in results] == [[]] * PROCESSES
    assert sum(r["ok"] for r in results) == PROCESSES * PER_PROCESS
    counters = sandbox.admin("GET", "/counters")
    assert counters["auth_errors"].get("salesforce") == PROCESSES * PER_PROCESS
    assert counters["grants"].get("salesforce:refresh_token") == 1
    assert counters["invalid_grants"].get("salesforce", 0) == 0
