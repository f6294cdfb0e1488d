"""HubSpot v3 signed deliveries for a HubSpot-sandbox integration: thin events read through the adapter."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from tests.conftest import wait_for
from tests.e2e.conftest import Engine, hubspot_integration

TENANT, INTEGRATION = "t2", "hs1"
CLIENT_SECRET = "hubspot-app-client-secret"


def _signed(url: str, body: bytes) -> dict[str, str]:
    """HubSpot v3: base64 HMAC-SHA256 of method + URI + body + timestamp (milliseconds)."""
    ts = str(int(time.time() * 1000))
    digest = hmac.new(CLIENT_SECRET.encode(), b"POST" + url.encode() + body + ts.encode(), hashlib.sha256).digest()
    return {"Content-Type": "application/json", "X-HubSpot-Request-Timestamp": ts,
            "X-HubSpot-Signature-v3": base64.b64encode(digest).decode()}


def _last_name(engine: Engine, external_id: str) -> str | None:
    shard = engine.shards(TENANT, "contact").get(external_id)
    return shard.structured_data.get("lastName") if shard else None


def test_property_change_and_deletion_events_reach_the_shards(webhook_engine) -> None:
    engine = webhook_engine
    engine.add_integration(TENANT, INTEGRATION, hubspot_integration(engine.sandbox.url))
    assert engine.sync(TENANT, INTEGRATION, "full")["output"]["status"] == "completed"
    r = engine.client.put(f"/api/tenants/{TENANT}/webhooks/hs-app", json={
        "provider": "hubspot", "integrationId": INTEGRATION, "secret": CLIENT_SECRET})
    assert r.status_code == 201, r.text
    contacts = sorted(engine.ground_truth("contacts", "hubspot"))
    changed = engine.admin.post("/hubspot/contacts/update",
                                json={"ids": [contacts[0]], "fields": {"lastname": "Hooked"}}).json()["ids"]
    archived = engine.admin.post("/hubspot/contacts/delete", json={"ids": [contacts[1]]}).json()["ids"]
    assert (changed, archived) == ([contacts[0]], [contacts[1]])
    now = int(time.time() * 1000)
    events = [
        {"eventId": 101, "subscriptionId": 7, "portalId": 62515, "occurredAt": now, "attemptNumber": 0,
         "subscriptionType": "contact.propertyChange", "objectId": int(contacts[0]), "propertyName": "lastname",
         "propertyValue": "Hooked"},
        {"eventId": 102, "subscriptionId": 8, "portalId": 62515, "occurredAt": now, "attemptNumber": 0,
         "subscriptionType": "contact.deletion", "objectId": int(contacts[1])},
    ]
    body = json.dumps(events).encode()
    url = f"{engine.host.url}/api/webhooks/hubspot/hs-app"
    assert engine.public.post(url, content=body, headers=_signed(url, body)).status_code == 200
    wait_for(lambda: _last_name(engine, contacts[0]) == "Hooked" and contacts[1] not in engine.shards(
        TENANT, "contact"), timeout=15)
    processed = engine.stores.audit.list(TENANT, "webhook.processed")
    assert sorted(e for r in processed for e in r.details["eventIds"]) == ["hubspot-event:101", "hubspot-event:102"]
    assert [r.details.get("fetched") for r in processed if "fetched" in r.details] == [1]  # read via the adapter
    stale = _signed(url, body) | {"X-HubSpot-Request-Timestamp": str(now - 10 * 60 * 1000)}
    assert engine.public.post(url, content=body, headers=stale).status_code == 401


def test_a_record_not_yet_in_the_search_index_is_read_again_later(webhook_engine) -> None:
    engine = webhook_engine
    engine.add_integration(TENANT, INTEGRATION, hubspot_integration(engine.sandbox.url))
    assert engine.sync(TENANT, INTEGRATION, "full")["output"]["status"] == "completed"
    assert engine.client.put(f"/api/tenants/{TENANT}/webhooks/hs-app", json={
        "provider": "hubspot", "integrationId": INTEGRATION, "secret": CLIENT_SECRET}).status_code == 201
    assert engine.admin.patch("/options", json={"hubspot_search_lag": 3}).status_code == 200
    contact = sorted(engine.ground_truth("contacts", "hubspot"))[2]
    engine.admin.post("/hubspot/contacts/update", json={"ids": [contact], "fields": {"lastname": "Lagged"}})
    body = json.dumps([{"eventId": 201, "subscriptionId": 7, "portalId": 62515, "occurredAt": int(time.time() * 1000),
                        "attemptNumber": 0, "subscriptionType": "contact.propertyChange",
                        "objectId": int(contact), "propertyName": "lastname", "propertyValue": "Lagged"}]).encode()
    url = f"{engine.host.url}/api/webhooks/hubspot/hs-app"
    assert engine.public.post(url, content=body, headers=_signed(url, body)).status_code == 200
    wait_for(lambda: _last_name(engine, contact) == "Lagged", timeout=30)
    processed = engine.stores.audit.list(TENANT, "webhook.processed")
    assert [e for r in processed for e in r.details["eventIds"]] == ["hubspot-event:201"]
    assert engine.stores.webhooks.list_pending(TENANT) == []
