"""Write-back to HubSpot (CRM v3 on the sandbox): nested ``properties`` written flat, creates upserted on
``external_id``, the record id learnt on create, updates compared on ``updatedAt`` first.

(The echo check of a HubSpot pull is not here: the pull asks HubSpot for the mapping's sources as
property names, ``properties.name``, and gets none of them back; that is the pull's to fix.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from core.models import Integration, parse_credential
from credentials.runtime import build_credential_service, lease_collection
from tests.writeback.conftest import API, TENANT, WB


def _add_hubspot(wb: WB, conflict: str) -> None:
    engine, url = wb.engine, wb.engine.sandbox.url
    client = engine.admin.post("/oauth/clients", json={"provider": "hubspot"}).json()
    tokens = engine.admin.post("/oauth/tokens", json={"provider": "hubspot", "client_id": client["client_id"]}).json()
    body: dict[str, Any] = {
        "provider": "hubspot",
        "connection": {"baseUrl": url, "tokenUrl": f"{url}/oauth/v1/token",
                       "uniqueProperties": {"companies": "external_id"}},
        "entityMappings": [{"externalEntity": "companies", "shardTypeId": "company", "direction": "bidirectional",
                            "fieldMappings": [{"source": "properties.name", "target": "name"},
                                              {"source": "properties.industry", "target": "industry"},
                                              {"source": "id", "target": "hubspotId"}]}],
        "syncFrequency": {"type": "manual"}, "writeBack": {"enabled": True}, "conflictResolution": conflict,
        "rateLimits": {"requestsPerSecond": 500, "operationsPerMinute": {
            "fetch": 100000, "create": 60000, "update": 60000, "delete": 60000}},
    }
    engine.stores.integrations.put(TENANT, "hs", Integration.model_validate(
        {**body, "tenantId": TENANT, "integrationId": "hs"}))
    credential = parse_credential({
        "type": "oauth2", "accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"],
        "expiresAt": (datetime.now(UTC) + timedelta(seconds=tokens["expires_in"])).isoformat(),
        "clientId": client["client_id"], "clientSecret": client["client_secret"], "tokenUrl": f"{url}/oauth/v1/token",
    })
    build_credential_service(engine.settings, engine.stores, lease_collection(engine.settings)).save(
        TENANT, "hs", credential)


def _companies(wb: WB) -> dict[str, dict[str, Any]]:
    records = wb.engine.admin.get("/hubspot/companies/records").json()["records"]
    return {r["properties"].get("external_id") or r["id"]: r for r in records}


def test_hubspot_create_update_and_conflict(wb_factory: Callable[..., WB]) -> None:
    wb = wb_factory(records=5, env={"CASTIEL_WRITEBACK_SWEEP_ENABLED": "false"})
    _add_hubspot(wb, "local_wins")
    wb.create("co-1", {"name": "Pushed Co", "industry": "Energy"}, shard_type="company")
    wb.drain(integration="hs")
    remote = _companies(wb)["co-1"]
    assert remote["properties"]["name"] == "Pushed Co" and remote["properties"]["industry"] == "Energy"
    rel = wb.shard("co-1")["externalRelationships"][0]
    assert rel["externalId"] == remote["id"] and rel["syncStatus"] == "synced"

    # A concurrent remote edit: HubSpot has no precondition, so updatedAt is compared first.
    wb.patch("co-1", {"industry": "Retail"})
    r = wb.engine.admin.post("/hubspot/companies/update", json={"ids": [remote["id"]],
                                                                 "fields": {"name": "Renamed remotely"}})
    assert r.status_code == 200, r.text
    wb.drain(integration="hs")
    after = _companies(wb)["co-1"]["properties"]
    assert (after["name"], after["industry"]) == ("Pushed Co", "Retail")  # local_wins pushed the local record
    audited = wb.engine.stores.audit.list(TENANT, action="writeback.conflict_resolved")
    assert [a.details["outcome"] for a in audited] == ["kept_local"]

    shard = wb.shard("co-1")
    assert shard["structuredData"] == {"name": "Pushed Co", "industry": "Retail", "hubspotId": remote["id"]}
    assert shard["externalRelationships"][0]["syncStatus"] == "synced"
    assert wb.http.get(f"{API}/integrations/hs/outbox").json()["items"] == []
