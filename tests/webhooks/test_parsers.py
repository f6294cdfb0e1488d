"""Parsers: provider-shaped deliveries -> WebhookEvents (many per delivery where the provider batches)."""

from __future__ import annotations

import base64
import json

import pytest
from pydantic import SecretStr

from webhooks import Malformed, Operation, ParseContext, ParsedDelivery, SignalKind, parse
from webhooks.config import (
    DriveChannelConfig,
    GenericHmacConfig,
    GitHubConfig,
    GongConfig,
    GraphConfig,
    HubSpotConfig,
    JsonFields,
    NotionConfig,
    PubSubConfig,
    SalesforceConfig,
    ShopifyConfig,
    SlackConfig,
    StripeConfig,
    ZoomConfig,
)

from .helpers import NOW, request
from .test_unsigned_schemes import OUTBOUND

CTX = ParseContext(integration_id="int-1", tenant_id="tenant-1", received_at=NOW)


def _events(config, body: bytes, headers: dict[str, str] | None = None) -> ParsedDelivery:
    result = parse(config, request(body, headers), CTX)
    assert isinstance(result, ParsedDelivery), result
    return result


def test_hubspot_batch_yields_one_event_per_item():
    body = json.dumps([
        {"eventId": 1, "subscriptionType": "contact.creation", "objectId": 123, "occurredAt": 1564113600000},
        {"eventId": 2, "subscriptionType": "deal.propertyChange", "objectId": 9, "occurredAt": 1564113600000,
         "propertyName": "amount", "propertyValue": "10"},
        {"eventId": 3, "subscriptionType": "company.deletion", "objectId": 7, "occurredAt": 1564113600000},
    ]).encode()
    events = _events(HubSpotConfig(), body).events
    assert [(e.entity_type, e.entity_id, e.operation) for e in events] == [
        ("contact", "123", Operation.CREATE), ("deal", "9", Operation.UPDATE), ("company", "7", Operation.DELETE)]
    wire = events[0].to_wire()
    assert set(wire) == {"integrationId", "tenantId", "eventType", "entityType", "entityId", "operation", "data",
                         "timestamp", "eventId"}
    assert wire["integrationId"] == "int-1" and wire["operation"] == "create"
    assert wire["timestamp"] == "2019-07-26T04:00:00Z" and wire["eventId"] == "hubspot-event:1"


def test_graph_changes_and_lifecycle_notifications():
    body = json.dumps({"value": [
        {"subscriptionId": "s1", "clientState": "secret", "changeType": "created",
         "resource": "Users/abc/Events/evt1", "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "id": "evt1"}},
        {"subscriptionId": "s1", "clientState": "secret", "changeType": "deleted", "resource": "Users/abc"},
        {"subscriptionId": "s2", "clientState": "secret", "lifecycleEvent": "reauthorizationRequired"},
        {"subscriptionId": "s3", "clientState": "secret", "lifecycleEvent": "missed"},
    ]}).encode()
    delivery = _events(GraphConfig(), body)
    assert [(e.entity_type, e.entity_id, e.operation) for e in delivery.events] == [
        ("event", "evt1", Operation.CREATE), ("users", "abc", Operation.DELETE)]
    assert all("clientState" not in e.data for e in delivery.events)
    assert [s.kind for s in delivery.signals] == [SignalKind.REAUTHORIZE, SignalKind.RESYNC]
    assert delivery.signals[0].detail["subscriptionId"] == "s2"


def test_salesforce_outbound_message_yields_each_notification():
    events = _events(SalesforceConfig(), OUTBOUND).events
    assert [(e.entity_type, e.entity_id) for e in events] == [("Account", "0015g00000XyZ01AAB"),
                                                              ("Account", "0015g00000XyZ02AAB")]
    assert events[0].data["fields"]["Name"] == "Acme"
    assert events[0].to_wire()["timestamp"] == "2026-01-15T11:59:00Z"
    assert events[1].timestamp == NOW  # no LastModifiedDate: receipt time
    assert [e.event_id for e in events] == ["sf:04l5g00000ABCDEAA1", "sf:04l5g00000ABCDEAA2"]


def test_salesforce_change_events_fan_out_record_ids_and_gaps_become_signals():
    body = json.dumps([
        {"schema": "x", "payload": {"ChangeEventHeader": {
            "entityName": "Account", "recordIds": ["001A", "001B"], "changeType": "UPDATE",
            "commitTimestamp": 1736942400000, "transactionKey": "t1", "sequenceNumber": 1}, "Name": "New"},
         "event": {"replayId": 42}},
        {"ChangeEventHeader": {"entityName": "Contact", "recordIds": ["003A"], "changeType": "DELETE",
                               "commitTimestamp": 1736942400000, "transactionKey": "t1", "sequenceNumber": 2}},
        {"ChangeEventHeader": {"entityName": "Contact", "recordIds": [], "changeType": "GAP_OVERFLOW",
                               "transactionKey": "t2", "sequenceNumber": 1}},
    ]).encode()
    delivery = _events(SalesforceConfig(), body)
    assert [(e.entity_type, e.entity_id, e.operation) for e in delivery.events] == [
        ("Account", "001A", Operation.UPDATE), ("Account", "001B", Operation.UPDATE),
        ("Contact", "003A", Operation.DELETE)]
    assert delivery.events[0].data["fields"] == {"Name": "New"}
    assert [s.kind for s in delivery.signals] == [SignalKind.RESYNC]


def test_drive_notification_is_a_changes_pending_signal():
    delivery = _events(DriveChannelConfig(), b"", {"X-Goog-Resource-State": "change", "X-Goog-Channel-ID": "c1",
                                                   "X-Goog-Message-Number": "8"})
    assert delivery.events == () and delivery.signals[0].kind is SignalKind.CHANGES_PENDING
    assert delivery.signals[0].detail == {"resourceState": "change", "channelId": "c1", "messageNumber": "8"}


def test_pubsub_push_envelope_is_decoded():
    data = base64.b64encode(b'{"kind":"storage#object","name":"a.txt"}').decode()
    body = json.dumps({"message": {"data": data, "messageId": "m-1", "publishTime": "2026-01-15T11:00:00Z",
                                   "attributes": {"eventType": "OBJECT_FINALIZE"}},
                       "subscription": "projects/p/subscriptions/s"}).encode()
    event = _events(PubSubConfig(), body).events[0]
    assert (event.event_type, event.entity_id) == ("OBJECT_FINALIZE", "m-1")
    assert event.data["payload"] == {"kind": "storage#object", "name": "a.txt"}


@pytest.mark.parametrize(("config", "body", "headers", "expected"), [
    (ZoomConfig(), b'{"event":"meeting.deleted","event_ts":1736942400000,"payload":{"object":{"id":85,"uuid":"u=="}}}',
     None, ("meeting", "u==", Operation.DELETE)),
    (GongConfig(), b'{"callData":{"metaData":{"id":"5599","started":"2019-10-18T14:03:37-07:00"}},"isTest":false}',
     None, ("call", "5599", Operation.CREATE)),
    (NotionConfig(), b'{"id":"e1","timestamp":"2026-01-15T11:00:00.000Z","type":"page.properties_updated",'
                     b'"entity":{"id":"p1","type":"page"}}', None, ("page", "p1", Operation.UPDATE)),
    (GitHubConfig(), b'{"action":"opened","issue":{"id":42,"updated_at":"2026-01-15T11:00:00Z"}}',
     {"X-GitHub-Event": "issues"}, ("issue", "42", Operation.CREATE)),
    (ShopifyConfig(), b'{"id":820982911946154508,"updated_at":"2026-01-15T11:00:00-05:00"}',
     {"X-Shopify-Topic": "orders/delete"}, ("orders", "820982911946154508", Operation.DELETE)),
    (StripeConfig(), b'{"id":"evt_1","type":"customer.created","created":1736942400,'
                     b'"data":{"object":{"id":"cus_1","object":"customer"}}}', None,
     ("customer", "cus_1", Operation.CREATE)),
    (SlackConfig(), b'{"type":"event_callback","event_id":"Ev1","event_time":1736942400,"event":{"type":"message"}}',
     None, ("message", "Ev1", Operation.CREATE)),
    (GenericHmacConfig(header="X-Sig", fields=JsonFields(events="items", entity_type="kind", operation="op")),
     b'{"items":[{"type":"x.changed","kind":"ticket","id":"T-1","op":"deleted"}]}', None,
     ("ticket", "T-1", Operation.DELETE)),
])
def test_single_event_providers(config, body, headers, expected):
    (event,) = _events(config, body, headers).events
    assert (event.entity_type, event.entity_id, event.operation) == expected
    assert event.tenant_id == "tenant-1" and event.timestamp


def test_github_ping_and_slack_non_events_yield_nothing():
    assert _events(GitHubConfig(), b'{"zen":"x","hook_id":1}', {"X-GitHub-Event": "ping"}).events == ()
    assert _events(SlackConfig(), b'{"type":"app_rate_limited"}').events == ()


@pytest.mark.parametrize(("config", "body", "headers"), [
    (HubSpotConfig(), b'{"not":"a list"}', None),
    (HubSpotConfig(), b'[{"eventId":1}]', None),
    (GraphConfig(), b'{"value":[{"lifecycleEvent":"bogus"}]}', None),
    (SalesforceConfig(), b'[{"ChangeEventHeader":{"entityName":"A","recordIds":["1"],"changeType":"WAT"}}]', None),
    (ZoomConfig(), b'{"event":"meeting.started"}', None),
    (GongConfig(), b"[]", None),
    (NotionConfig(), b"{}", None),
    (GitHubConfig(), b"{}", None),
    (ShopifyConfig(), b'{"id":1}', {"X-Shopify-Topic": "bad"}),
    (StripeConfig(), b"not json", None),
    (PubSubConfig(), b'{"message":{"messageId":"1","data":"%%%"}}', None),
    (SlackConfig(), b"\xff\xfe", None),
])
def test_unusable_payloads_are_malformed(config, body, headers):
    assert isinstance(parse(config, request(body, headers), CTX), Malformed)


def test_unreadable_timestamps_fall_back_to_receipt_time():
    event = _events(NotionConfig(), b'{"id":"e","type":"page.created","timestamp":"yesterday",'
                                    b'"entity":{"id":"p","type":"page"}}').events[0]
    assert event.timestamp == NOW


@pytest.mark.parametrize("body", [
    b'[{"eventId":1,"subscriptionType":".creation","objectId":1}]',  # empty entity type
    b'{"id":"e","type":"page.created","entity":{"id":"","type":"page"}}',  # empty id
])
def test_fields_outside_the_model_bounds_are_malformed(body):
    config = HubSpotConfig() if body.startswith(b"[") else NotionConfig()
    assert isinstance(parse(config, request(body), CTX), Malformed)


def test_parse_needs_no_secret():
    # Parsing is only ever called after verify; it must not depend on the secret.
    config = HubSpotConfig(client_secret=SecretStr("x"))
    assert _events(config, b"[]").events == ()
