"""devhost with ``FUNCTIONS_WORKER_PROCESS_COUNT=2``: the HTTP functions run in a worker process, the
orchestrations and activities in the host; deliveries, the API and the durable client work as with one."""

from __future__ import annotations

import os

import pytest

from devhost.config import HostConfigError
from devhost.workers import worker_count
from tests.conftest import wait_for, wait_status
from tests.e2e.conftest import Engine, salesforce_integration
from tests.webhooks_e2e.conftest import generic_body, generic_registration, signed_headers

TENANT, INTEGRATION = "t1", "sf1"


def test_worker_count_is_the_functions_host_setting() -> None:
    assert worker_count({}) == 1
    assert worker_count({"FUNCTIONS_WORKER_PROCESS_COUNT": " 3 "}) == 3
    for bad in ("0", "11", "two", "-1"):
        with pytest.raises(HostConfigError):
            worker_count({"FUNCTIONS_WORKER_PROCESS_COUNT": bad})


def test_deliveries_through_a_worker_process_are_processed_once(webhook_engine_workers: Engine) -> None:
    engine = webhook_engine_workers
    assert "1 worker process(es) run the HTTP functions" in engine.host.log()
    engine.add_integration(TENANT, INTEGRATION, salesforce_integration(engine.sandbox.url))
    assert engine.sync(TENANT, INTEGRATION, "full")["output"]["status"] == "completed"  # API + durable client
    ids = sorted(engine.ground_truth("Account"))
    r = engine.client.put(f"/api/tenants/{TENANT}/webhooks/acme-1", json=generic_registration(INTEGRATION))
    assert r.status_code == 201, r.text
    body = generic_body({"id": ids[0], "type": "account.updated", "object": "Account",
                         "record": {"Name": "From a worker"}})
    headers = signed_headers(body)  # the same body three times: one event (deduplicated by its hash)
    replies = [engine.public.post("/api/webhooks/acme/acme-1", content=body, headers=headers)  # type: ignore[attr-defined]
               for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    forged = engine.public.post("/api/webhooks/acme/acme-1", content=body,  # type: ignore[attr-defined]
                                headers=signed_headers(body, secret="wrong"))
    assert forged.status_code == 401
    wait_for(lambda: (engine.shards(TENANT, "account").get(ids[0]) or None) is not None
             and engine.shards(TENANT, "account")[ids[0]].structured_data.get("name") == "From a worker", timeout=10)
    status = wait_status(engine.client, "webhooks:t1:sf1", timeout=15)
    assert status["runtimeStatus"] == "Completed"
    received = engine.stores.audit.list(TENANT, "webhook.received")
    assert sorted(r.details["new"] for r in received) == [0, 0, 1]
    processed = wait_for(lambda: engine.stores.audit.list(TENANT, "webhook.processed"))
    assert len([e for r in processed for e in r.details["eventIds"]]) == 1
    assert [r.details["code"] for r in engine.stores.audit.list(TENANT, "webhook.rejected")] == ["bad_signature"]


def test_a_killed_host_takes_its_workers_with_it(webhook_engine_workers: Engine) -> None:
    engine = webhook_engine_workers
    assert engine.public.get("/api/health").status_code == 200  # type: ignore[attr-defined]
    host_pid = engine.host.proc.pid  # type: ignore[union-attr]
    children = _children(host_pid)
    assert children, "the worker process is a child of the host"
    engine.host.kill()
    wait_for(lambda: not any(_alive(pid) for pid in children), timeout=10)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
