"""The routes over HTTP on devhost: function keys, tenancy, validation, shard ETags, sync single flight."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.sync_lease import new_run_id
from core.settings import Settings
from stores.factory import build_stores
from tests.api.conftest import INTEGRATION
from tests.conftest import ROOT, DevhostProcess, wait_for, wait_status

APP = Path(__file__).parent / "app"
KEY = "api-test-key"
ACME = "/api/tenants/acme"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostProcess]:
    base = tmp_path_factory.mktemp("api-e2e")
    env = {"DEVHOST_FUNCTION_KEY": KEY, "PYTHONPATH": str(ROOT), "CASTIEL_DATA_DIR": str(base / "data")}
    process = DevhostProcess(APP, base / "hub", env).start()
    yield process
    assert process.stop() == 0, process.log()[-3000:]


@pytest.fixture
def client(host: DevhostProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=host.url, timeout=15, headers={"x-functions-key": KEY}) as keyed:
        yield keyed


def test_function_key_is_required(host: DevhostProcess) -> None:
    with httpx.Client(base_url=host.url, timeout=15) as anonymous:
        assert anonymous.get(f"{ACME}/integrations").status_code == 401
        assert anonymous.get(f"{ACME}/integrations", params={"code": "wrong"}).status_code == 401
        assert anonymous.get(f"{ACME}/integrations", params={"code": KEY}).status_code == 200


def test_integration_put_get_validation_and_tenancy(client: httpx.Client) -> None:
    r = client.put(f"{ACME}/integrations/crm", json=INTEGRATION)
    assert r.status_code == 201, r.text
    assert client.put(f"{ACME}/integrations/crm", json=INTEGRATION).status_code == 200
    got = client.get(f"{ACME}/integrations/crm")
    assert got.status_code == 200 and got.json()["state"] == "active" and got.json()["nextSyncAt"]

    bad = copy.deepcopy(INTEGRATION) | {"prioritee": "high"}
    r = client.put(f"{ACME}/integrations/crm", json=bad)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [
        {"field": "prioritee", "message": "Extra inputs are not permitted"}]
    r = client.put(f"{ACME}/integrations/crm", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "Traceback" not in r.text

    assert client.get("/api/tenants/globex/integrations/crm").status_code == 404
    assert client.get("/api/tenants/globex/integrations").json() == {"items": []}


def test_shards_crud_with_etags(client: httpx.Client) -> None:
    shard = {"id": "s-1", "shardTypeId": "account", "structuredData": {"n": 1}}
    r = client.post(f"{ACME}/shards", json=shard)
    assert r.status_code == 201, r.text
    got = client.get(f"{ACME}/shards/s-1")
    etag = got.headers["etag"]
    r = client.patch(f"{ACME}/shards/s-1", json={"structuredData": {"n": 2}}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["structuredData"] == {"n": 2}
    stale = client.patch(f"{ACME}/shards/s-1", json={"structuredData": {"n": 3}}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    listed = client.get(f"{ACME}/shards", params={"shardTypeId": "account"}).json()
    assert [s["id"] for s in listed["items"]] == ["s-1"] and listed["continuationToken"] is None
    assert client.get("/api/tenants/globex/shards/s-1").status_code == 404
    assert client.delete(f"{ACME}/shards/s-1").status_code == 204
    assert client.get(f"{ACME}/shards/s-1").status_code == 404


def test_sync_single_flight(client: httpx.Client) -> None:
    assert client.put(f"{ACME}/integrations/sync-me", json=INTEGRATION).status_code in (200, 201)
    assert client.post(f"{ACME}/integrations/nope/sync").status_code == 404
    started = client.post(f"{ACME}/integrations/sync-me/sync", json={"mode": "full"})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.json()["statusQueryGetUri"].startswith("http://127.0.0.1")
    wait_status(client, run_id, ("Running",))

    again = client.post(f"{ACME}/integrations/sync-me/sync")
    assert again.status_code == 409 and again.json()["id"] == run_id
    assert again.json()["error"]["code"] == "sync_running"

    raised = client.post(f"/runtime/webhooks/durabletask/instances/{run_id}/raiseEvent/finish", json=True)
    assert raised.status_code == 202
    status = wait_status(client, run_id)
    assert status["runtimeStatus"] == "Completed" and status["output"] == {"runId": run_id, "mode": "full"}
    wait_for(lambda: client.get(f"{ACME}/integrations/sync-me").json()["activeRunId"] is None)

    next_run = client.post(f"{ACME}/integrations/sync-me/sync")  # empty body: incremental
    assert next_run.status_code == 202 and next_run.json()["id"] != run_id


def test_credentials_round_trip(client: httpx.Client) -> None:
    client.put(f"{ACME}/integrations/creds", json=INTEGRATION)
    secret = {"type": "basic", "username": "svc", "password": "p4ss-SECRET"}
    assert client.put(f"{ACME}/integrations/creds/credentials", json=secret).status_code == 204
    got = client.get(f"{ACME}/integrations/creds/credentials")
    assert got.status_code == 200 and got.json()["type"] == "basic" and "SECRET" not in got.text


def test_a_lease_whose_run_never_started_is_taken_over(host: DevhostProcess, client: httpx.Client) -> None:
    client.put(f"{ACME}/integrations/crashed", json=INTEGRATION)
    # The same SQLite store the host uses, as a starter that crashed before start_new would leave it.
    stores = build_stores(Settings(data_dir=Path(host.env["CASTIEL_DATA_DIR"])))
    try:
        young = new_run_id("acme", "crashed", datetime.now(UTC))
        stores.integrations.update("acme", "crashed", {"active_run_id": young})
        blocked = client.post(f"{ACME}/integrations/crashed/sync")
        assert blocked.status_code == 409 and blocked.json()["id"] == young, blocked.text
        old = new_run_id("acme", "crashed", datetime.now(UTC) - timedelta(minutes=10))
        stores.integrations.update("acme", "crashed", {"active_run_id": old})
    finally:
        stores.close()
    taken = client.post(f"{ACME}/integrations/crashed/sync")
    assert taken.status_code == 202, taken.text
    assert client.get(f"{ACME}/integrations/crashed").json()["activeRunId"] == taken.json()["id"]


def test_deleting_an_integration_terminates_its_sync(client: httpx.Client) -> None:
    client.put(f"{ACME}/integrations/doomed", json=INTEGRATION)
    run_id = client.post(f"{ACME}/integrations/doomed/sync").json()["id"]
    wait_status(client, run_id, ("Running",))
    assert client.delete(f"{ACME}/integrations/doomed").status_code == 204
    assert wait_status(client, run_id)["runtimeStatus"] == "Terminated"
    assert client.get(f"{ACME}/integrations/doomed").status_code == 404
