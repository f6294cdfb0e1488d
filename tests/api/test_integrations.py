"""Integrations routes in-process: create/replace, server fields, validation, tenancy, delete."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from core.models import IntegrationState
from services import Services
from stores.syncstate import SyncCheckpoint
from tests.api.conftest import INTEGRATION, Api, FakeDurableClient

PATH = "/tenants/acme/integrations/sf-1"


async def test_put_creates_then_replaces(api: Api, services: Services) -> None:
    created = await api.call("PUT", PATH, json_body=INTEGRATION)
    assert created.status == 201, created.body
    body = created.json()
    assert body["tenantId"] == "acme" and body["integrationId"] == "sf-1"
    assert body["state"] == "active" and body["lastSyncAt"] is None
    # An interval integration is due at once when created.
    due = datetime.fromisoformat(body["nextSyncAt"].replace("Z", "+00:00"))
    assert abs((due - datetime.now(UTC)).total_seconds()) < 60
    assert created.headers["ETag"].strip('"') == body["etag"]

    changed = copy.deepcopy(INTEGRATION) | {"displayName": "Renamed"}
    replaced = await api.call("PUT", PATH, json_body=changed)
    assert replaced.status == 200
    assert replaced.json()["displayName"] == "Renamed"
    assert replaced.json()["createdAt"] == body["createdAt"]

    got = await api.call("GET", PATH)
    assert got.status == 200 and got.json()["displayName"] == "Renamed"
    listed = await api.call("GET", "/tenants/acme/integrations")
    assert [i["integrationId"] for i in listed.json()["items"]] == ["sf-1"]


async def test_replace_keeps_server_state_and_ignores_client_values(api: Api, services: Services) -> None:
    await api.call("PUT", PATH, json_body=INTEGRATION)
    last = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    services.stores.integrations.update("acme", "sf-1", {"last_sync_at": last, "active_run_id": "run-7",
                                                         "state": IntegrationState.NEEDS_REAUTH})
    echoed = (await api.call("GET", PATH)).json()
    # The client tries to set server fields: they are dropped, not trusted and not a 422.
    echoed |= {"state": "active", "activeRunId": None, "lastSyncAt": None, "tenantId": "other", "etag": "x"}
    replaced = await api.call("PUT", PATH, json_body=echoed)
    assert replaced.status == 200, replaced.body
    body = replaced.json()
    assert body["state"] == "needs_reauth" and body["activeRunId"] == "run-7"
    assert body["lastSyncAt"] == "2026-01-02T03:04:05Z" and body["tenantId"] == "acme"


async def test_changing_the_frequency_reschedules_from_the_last_sync(api: Api, services: Services) -> None:
    await api.call("PUT", PATH, json_body=INTEGRATION)
    services.stores.integrations.update("acme", "sf-1", {"last_sync_at": datetime(2026, 1, 1, tzinfo=UTC)})
    manual = copy.deepcopy(INTEGRATION) | {"syncFrequency": {"type": "manual"}}
    assert (await api.call("PUT", PATH, json_body=manual)).json()["nextSyncAt"] is None
    daily = copy.deepcopy(INTEGRATION) | {"syncFrequency": {"type": "interval", "intervalMinutes": 1440}}
    assert (await api.call("PUT", PATH, json_body=daily)).json()["nextSyncAt"] == "2026-01-02T00:00:00Z"


async def test_unknown_and_invalid_fields_are_422_naming_each_field(api: Api) -> None:
    bad = copy.deepcopy(INTEGRATION)
    bad["syncFrequncy"] = {"type": "manual"}
    bad["entityMappings"][0]["direction"] = "sideways"
    bad["entityMappings"][0]["fieldMappings"][1]["transform"] = "shout"
    del bad["connection"]
    r = await api.call("PUT", PATH, json_body=bad)
    assert r.status == 422 and r.error_code == "validation_failed"
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert {"syncFrequncy", "entityMappings[0].direction", "entityMappings[0].fieldMappings[1].transform",
            "connection"} <= fields
    bad_cron = copy.deepcopy(INTEGRATION) | {"syncFrequency": {"type": "cron", "cronExpression": "0 * * *"}}
    r = await api.call("PUT", PATH, json_body=bad_cron)
    assert r.status == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["syncFrequency.cronExpression"]


async def test_malformed_bodies(api: Api) -> None:
    r = await api.call("PUT", PATH, body=b'{"provider": ', headers={"Content-Type": "application/json"})
    assert r.status == 400 and r.error_code == "malformed_json"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = await api.call("PUT", PATH, body=b"provider=x", headers=form)
    assert r.status == 415
    r = await api.call("PUT", PATH, json_body=[1, 2])
    assert r.status == 422 and r.json()["error"]["details"][0]["field"] == "body"
    r = await api.call("PUT", PATH, body=b"[" * 100_000 + b"]" * 100_000)
    assert r.status == 400
    for not_json in (b'{"a": NaN}', b'{"a": 1e999}', b'{"a": -Infinity}'):
        assert (await api.call("PUT", PATH, body=not_json)).status == 400
    r = await api.call("PUT", PATH, body=b" " * (1024 * 1024 + 1))
    assert r.status == 413


async def test_ids_are_validated(api: Api) -> None:
    r = await api.call("PUT", "/tenants/acme/integrations/bad id!", json_body=INTEGRATION)
    assert r.status == 400 and r.error_code == "invalid_id"
    assert r.json()["error"]["details"][0]["field"] == "integrationId"
    r = await api.call("GET", "/tenants/" + "t" * 129 + "/integrations")
    assert r.status == 400 and r.json()["error"]["details"][0]["field"] == "tenantId"


async def test_another_tenants_integration_is_404(api: Api) -> None:
    await api.call("PUT", PATH, json_body=INTEGRATION)
    for method in ("GET", "DELETE"):
        r = await api.call(method, "/tenants/globex/integrations/sf-1")
        assert r.status == 404 and r.error_code == "not_found"
    assert (await api.call("GET", "/tenants/globex/integrations")).json() == {"items": []}
    assert (await api.call("GET", PATH)).status == 200


async def test_delete_removes_cursors_and_credential(api: Api, services: Services) -> None:
    await api.call("PUT", PATH, json_body=INTEGRATION)
    stores = services.stores
    stores.sync_state.put("acme", SyncCheckpoint(tenant_id="acme", integration_id="sf-1", mapping_key="0"), 0)
    credential = {"type": "api_key", "apiKey": "k-secret"}
    assert (await api.call("PUT", PATH + "/credentials", json_body=credential)).status == 204
    r = await api.call("DELETE", PATH)
    assert r.status == 204 and r.body == b""
    assert stores.integrations.get("acme", "sf-1") is None
    assert stores.sync_state.get("acme", "sf-1", "0") is None
    assert stores.credentials.get("acme", "sf-1") is None
    assert stores.secrets.get("cred--acme--sf-1") is None
    assert (await api.call("DELETE", PATH)).status == 404


async def test_delete_terminates_a_running_sync(api: Api, durable: FakeDurableClient) -> None:
    await api.call("PUT", PATH, json_body=INTEGRATION)
    run_id = (await api.call("POST", PATH + "/sync")).json()["id"]
    assert (await api.call("DELETE", PATH)).status == 204
    assert durable.instances[run_id]["runtimeStatus"] == "Terminated"


async def test_if_match_makes_a_replace_conditional(api: Api, services: Services) -> None:
    assert (await api.call("PUT", PATH, json_body=INTEGRATION, headers={"If-Match": "*"})).status == 412
    etag = (await api.call("PUT", PATH, json_body=INTEGRATION)).headers["ETag"]
    services.stores.integrations.update("acme", "sf-1", {"last_sync_at": datetime(2026, 1, 1, tzinfo=UTC)})
    stale = await api.call("PUT", PATH, json_body=INTEGRATION, headers={"If-Match": etag})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    fresh = (await api.call("GET", PATH)).headers["ETag"]
    assert (await api.call("PUT", PATH, json_body=INTEGRATION, headers={"If-Match": fresh})).status == 200


async def test_a_create_that_loses_a_race_replaces_instead(api: Api, services: Services, monkeypatch) -> None:
    first = await api.call("PUT", PATH, json_body=INTEGRATION)
    assert first.status == 201
    store = services.stores.integrations
    real_get, calls = store.get, []

    def stale_first_read(tenant_id: str, integration_id: str):  # the other PUT created it after this read
        calls.append(integration_id)
        return None if len(calls) == 1 else real_get(tenant_id, integration_id)

    monkeypatch.setattr(store, "get", stale_first_read)
    second = await api.call("PUT", PATH, json_body=copy.deepcopy(INTEGRATION) | {"displayName": "Second"})
    assert second.status == 200, second.body  # not a second 201 overwriting the first create
    assert second.json()["createdAt"] == first.json()["createdAt"]
    assert real_get("acme", "sf-1").display_name == "Second"
