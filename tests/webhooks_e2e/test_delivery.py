"""Signed deliveries change the shards within seconds; redeliveries are acknowledged and processed once."""

from __future__ import annotations

import json
import time

import httpx

from tests.conftest import wait_for, wait_status
from tests.e2e.conftest import Engine, salesforce_integration
from tests.webhooks_e2e.conftest import (
    ORG_ID,
    SF_SECRET,
    generic_body,
    generic_registration,
    signed_headers,
)

TENANT, INTEGRATION = "t1", "sf1"


def _outbound(notification_id: str, record_id: str, name: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{ORG_ID}</OrganizationId>
   <ActionId>04k5g000000XyZaAAK</ActionId>
   <Notification>
    <Id>{notification_id}</Id>
    <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>{record_id}</sf:Id>
     <sf:Name>{name}</sf:Name>
     <sf:Industry>Energy</sf:Industry>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>""".encode()


def _synced(engine: Engine) -> list[str]:
    engine.add_integration(TENANT, INTEGRATION, salesforce_integration(engine.sandbox.url))
    status = engine.sync(TENANT, INTEGRATION, "full")
    assert status["output"]["status"] == "completed", status
    return sorted(engine.ground_truth("Account"))


def _register(engine: Engine, registration_id: str, body: dict) -> dict:
    r = engine.client.put(f"/api/tenants/{TENANT}/webhooks/{registration_id}", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _name(engine: Engine, external_id: str) -> str | None:
    shard = engine.shards(TENANT, "account").get(external_id)
    return shard.structured_data.get("name") if shard else None


def test_outbound_message_changes_the_shard_and_three_deliveries_are_processed_once(webhook_engine) -> None:
    engine = webhook_engine
    ids = _synced(engine)
    _register(engine, "sf-om", {"provider": "salesforce", "integrationId": INTEGRATION, "secret": SF_SECRET,
                                "scheme": {"organizationId": ORG_ID}, "recordPath": "fields"})
    body = _outbound("04l5g00000ABCDEAA1", ids[0], "Renamed by webhook")
    started = time.monotonic()
    replies = [engine.public.post(f"/api/webhooks/salesforce/sf-om?token={SF_SECRET}", content=body,
                                  headers={"Content-Type": "text/xml; charset=utf-8"}) for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert all(b"<Ack>true</Ack>" in r.content for r in replies)
    wait_for(lambda: _name(engine, ids[0]) == "Renamed by webhook", timeout=10)
    assert time.monotonic() - started < 10
    assert engine.shards(TENANT, "account")[ids[0]].structured_data["industry"] == "Energy"

    received = engine.stores.audit.list(TENANT, "webhook.received")
    assert sorted(r.details["new"] for r in received) == [0, 0, 1]
    processed = wait_for(lambda: engine.stores.audit.list(TENANT, "webhook.processed"))
    event_ids = [e for r in processed for e in r.details["eventIds"]]
    assert event_ids == ["sf:04l5g00000ABCDEAA1"]
    assert engine.stores.webhooks.list_pending(TENANT) == []


def test_generic_hmac_events_upsert_records_and_create_new_ones(webhook_engine) -> None:
    engine = webhook_engine
    ids = _synced(engine)
    _register(engine, "acme-1", generic_registration(INTEGRATION))
    body = generic_body(
        {"id": ids[1], "type": "account.updated", "object": "Account", "at": "2026-11-30T10:00:00Z",
         "record": {"Name": "Updated Co", "Industry": "Retail"}},
        {"id": "001NEWRECORD0001", "type": "account.created", "object": "Account",
         "record": {"Name": "Brand New Co"}},
    )
    r = engine.public.post("/api/webhooks/acme/acme-1", content=body, headers=signed_headers(body))
    assert r.status_code == 200, r.text
    wait_for(lambda: _name(engine, ids[1]) == "Updated Co" and _name(engine, "001NEWRECORD0001") == "Brand New Co",
             timeout=10)
    instance = "webhooks:t1:sf1"
    status = wait_status(engine.client, instance, timeout=15)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"]["stats"]["created"] == 1 and status["output"]["stats"]["updated"] == 1


def test_thin_change_event_is_read_through_the_adapter(webhook_engine) -> None:
    engine = webhook_engine
    ids = _synced(engine)
    _register(engine, "sf-cdc", {"provider": "salesforce", "integrationId": INTEGRATION, "secret": SF_SECRET,
                                 "scheme": {"organizationId": ORG_ID, "tokenLocation": "header",
                                            "tokenName": "X-Relay-Token"}})
    updated = engine.admin.post("/salesforce/Account/update",
                                json={"ids": [ids[2]], "fields": {"Name": "Changed Remotely"}}).json()["ids"]
    assert updated == [ids[2]]
    event = {"ChangeEventHeader": {"entityName": "Account", "recordIds": [ids[2]], "changeType": "UPDATE",
                                   "commitTimestamp": int(time.time() * 1000), "transactionKey": "tx-1",
                                   "sequenceNumber": 1, "changedFields": ["Name"]},
             "Name": "Changed Remotely"}
    r = engine.public.post("/api/webhooks/salesforce/sf-cdc", content=json.dumps([event]).encode(),
                           headers={"Content-Type": "application/json", "X-Relay-Token": SF_SECRET})
    assert r.status_code == 200, r.text
    wait_for(lambda: _name(engine, ids[2]) == "Changed Remotely", timeout=10)
    processed = wait_for(lambda: engine.stores.audit.list(TENANT, "webhook.processed"))
    assert processed[0].details["fetched"] == 1 and processed[0].details["missing"] == 0


def test_acknowledged_events_survive_a_crash_and_are_processed_once_after_restart(webhook_engine) -> None:
    engine = webhook_engine
    ids = _synced(engine)
    _register(engine, "acme-1", generic_registration(INTEGRATION))
    sent = []
    for n in range(40):
        body = generic_body({"id": ids[n], "type": "account.updated", "object": "Account",
                             "record": {"Name": f"Crash {n}"}})
        assert engine.public.post("/api/webhooks/acme/acme-1", content=body,
                                  headers=signed_headers(body)).status_code == 200
        sent.append(n)
    engine.restart(kill=True)  # SIGKILL: whatever was acknowledged is in the inbox
    engine.public.close()
    engine.public = httpx.Client(base_url=engine.host.url, timeout=30)  # type: ignore[attr-defined]
    wait_for(lambda: all(_name(engine, ids[n]) == f"Crash {n}" for n in sent), timeout=40)
    processed = wait_for(lambda: engine.stores.audit.list(TENANT, "webhook.processed", limit=1000))
    event_ids = [e for r in processed for e in r.details["eventIds"]]
    assert len(event_ids) == len(set(event_ids)) == 40
    assert engine.stores.webhooks.list_pending(TENANT) == []
