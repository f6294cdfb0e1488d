"""The registry (event ids, verify-then-parse), the status mapping and the configuration union."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import SecretStr, ValidationError

from webhooks import (
    DEFAULT_REGISTRY,
    Accepted,
    BadSignature,
    Challenge,
    Malformed,
    MissingHeader,
    NoSecretConfigured,
    ParseContext,
    Received,
    Registry,
    StaleTimestamp,
    event_id,
    http_reply,
    load_scheme_config,
    receive,
    status_for,
)
from webhooks.config import (
    GitHubConfig,
    GraphConfig,
    HubSpotConfig,
    NotionConfig,
    PubSubConfig,
    SalesforceConfig,
    ShopifyConfig,
    SlackConfig,
    StripeConfig,
)
from webhooks.registry import SchemeSpec, UnknownScheme

from .helpers import NOW, NOW_TS, hmac_hex, request
from .test_unsigned_schemes import OUTBOUND

CTX = ParseContext("int-1", "tenant-1", NOW)


@pytest.mark.parametrize(("config", "body", "headers", "expected"), [
    (GitHubConfig(), b"{}", {"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
     "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
    (ShopifyConfig(), b"{}", {"X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
     "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
    (StripeConfig(), b'{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy"}', None, "evt_1NG8Du2eZvKYlo2CUI79vXWy"),
    (SlackConfig(), b'{"type":"event_callback","event_id":"Ev0PV52K21"}', None, "Ev0PV52K21"),
    (NotionConfig(), b'{"id":"367cba44-b6f3-4c92-81e7-6a2e9659efd4"}', None, "367cba44-b6f3-4c92-81e7-6a2e9659efd4"),
    (HubSpotConfig(), b'[{"eventId":100,"attemptNumber":0}]', None, "hubspot-event:100"),
    (PubSubConfig(), b'{"message":{"messageId":"2070443601311540"}}', None, "2070443601311540"),
    (SalesforceConfig(), OUTBOUND, None,
     "sf:" + hashlib.sha256(b"04l5g00000ABCDEAA1,04l5g00000ABCDEAA2").hexdigest()),
])
def test_provider_ids_are_used_for_deduplication(config, body, headers, expected):
    assert event_id(config, request(body, headers)) == expected


def test_hubspot_batch_id_ignores_attempt_number():
    first = b'[{"eventId":1,"attemptNumber":0},{"eventId":2,"attemptNumber":0}]'
    retry = b'[{"eventId":2,"attemptNumber":1},{"eventId":1,"attemptNumber":1}]'
    assert event_id(HubSpotConfig(), request(first)) == event_id(HubSpotConfig(), request(retry))


def test_body_hash_is_the_fallback():
    body = b'{"value":[{"clientState":"x"}]}'
    assert event_id(GraphConfig(), request(body)) == "sha256:" + hashlib.sha256(body).hexdigest()
    assert event_id(GitHubConfig(), request(body, {"X-GitHub-Delivery": "  "})).startswith("sha256:")


def _signed_github(body: bytes, delivery: str = "d-1"):
    return request(body, {"X-Hub-Signature-256": "sha256=" + hmac_hex("k", body), "X-GitHub-Event": "issues",
                          "X-GitHub-Delivery": delivery})


def test_receive_verifies_then_parses():
    config = GitHubConfig(secret=SecretStr("k"))
    result = receive(config, _signed_github(b'{"action":"deleted","issue":{"id":5}}'), CTX)
    assert isinstance(result, Received) and result.event_id == "d-1"
    assert result.delivery.events[0].entity_id == "5"
    assert result.delivery.events[0].event_id == "d-1"
    assert http_reply(result).status == 200


def test_receive_numbers_events_without_their_own_id():
    config = GraphConfig(client_state=SecretStr("cs"))
    body = json.dumps({"value": [{"clientState": "cs", "changeType": "updated", "resource": f"Users/u{i}"}
                                 for i in range(3)]}).encode()
    result = receive(config, request(body), CTX)
    assert isinstance(result, Received)
    assert [e.event_id for e in result.delivery.events] == [f"{result.event_id}#{i}" for i in range(3)]


def test_receive_does_not_parse_unauthentic_requests():
    config = GitHubConfig(secret=SecretStr("other"))
    assert isinstance(receive(config, _signed_github(b"not even json"), CTX), BadSignature)


def test_receive_reports_an_authentic_but_unusable_body_as_malformed():
    config = GitHubConfig(secret=SecretStr("k"))
    assert isinstance(receive(config, _signed_github(b"not json"), CTX), Malformed)


def test_receive_passes_challenges_through():
    body = b'{"type":"url_verification","challenge":"abc"}'
    req = request(body, {"X-Slack-Request-Timestamp": str(NOW_TS),
                         "X-Slack-Signature": "v0=" + hmac_hex("k", f"v0:{NOW_TS}:".encode() + body)})
    assert isinstance(receive(SlackConfig(signing_secret=SecretStr("k")), req, CTX), Challenge)


@pytest.mark.parametrize(("result", "status"), [
    (Accepted("e"), 200),
    (Challenge(200, b"tok", "text/plain"), 200),
    (BadSignature("x"), 401),
    (StaleTimestamp("x"), 401),
    (MissingHeader("x"), 401),
    (NoSecretConfigured("x"), 401),
    (Malformed("x"), 400),
])
def test_status_mapping(result, status):
    reply = http_reply(result)
    assert reply.status == status == status_for(result)
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    if status >= 400:
        error = json.loads(reply.body)["error"]
        assert error["code"] == result.code and "x" not in error["message"].split()
        assert reply.content_type == "application/json"


def test_challenge_body_is_returned_verbatim():
    reply = http_reply(Challenge(200, b"Validation: token", "text/plain; charset=utf-8"))
    assert (reply.body, reply.content_type) == (b"Validation: token", "text/plain; charset=utf-8")


def test_http_reply_refuses_other_objects():
    with pytest.raises(TypeError):
        http_reply("accepted")  # type: ignore[arg-type]


def test_configs_load_from_camel_case_and_hide_secrets():
    config = load_scheme_config({"scheme": "generic_hmac", "secret": "abc", "header": "X-Sig",
                                 "timestampHeader": "X-Ts", "messagePrefix": "{timestamp}.", "encoding": "base64"})
    assert config.timestamp_header == "X-Ts" and config.encoding == "base64"
    assert "abc" not in repr(config) and "abc" not in config.model_dump_json()
    assert isinstance(load_scheme_config({"scheme": "microsoft_graph", "clientState": "s"}), GraphConfig)


@pytest.mark.parametrize("data", [
    {"scheme": "nope"},
    {"scheme": "github", "secret": "x", "unexpected": 1},
    {"scheme": "generic_hmac", "header": "X", "timestampHeader": "X-Ts"},  # timestamp checked but not signed
    {"scheme": "slack", "toleranceSeconds": 0},
])
def test_invalid_configs_are_refused(data):
    with pytest.raises(ValidationError):
        load_scheme_config(data)


def test_every_config_model_has_a_registered_scheme():
    from typing import get_args

    from webhooks.config import AnySchemeConfig

    union = get_args(get_args(AnySchemeConfig)[0])
    names = {model.model_fields["scheme"].default for model in union}
    assert names == DEFAULT_REGISTRY.names()


def test_registry_rejects_duplicates_and_unknown_schemes():
    spec = SchemeSpec("github", lambda c, r, n: Malformed("x"), lambda c, r: None, lambda c, r, x: Malformed("x"))
    registry = Registry([spec])
    with pytest.raises(ValueError):
        registry.register(spec)
    with pytest.raises(UnknownScheme):
        registry.verify(StripeConfig(), request(), NOW)
