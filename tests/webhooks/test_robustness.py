"""Hostile input never raises and is never accepted: seeded random bodies and header values per scheme."""

from __future__ import annotations

import random

import pytest
from pydantic import SecretStr

from webhooks import Accepted, Challenge, Malformed, ParseContext, ParsedDelivery, RawRequest, parse, receive, verify
from webhooks.config import (
    DriveChannelConfig,
    GenericHmacConfig,
    GitHubConfig,
    GongConfig,
    GraphConfig,
    HubSpotConfig,
    NotionConfig,
    PubSubConfig,
    SalesforceConfig,
    ShopifyConfig,
    SlackConfig,
    StripeConfig,
    ZoomConfig,
)

from .helpers import NOW, NOW_TS, URL, hmac_hex

HEADERS = [
    "X-Hub-Signature-256", "X-Slack-Signature", "X-Slack-Request-Timestamp", "X-HubSpot-Signature-v3",
    "X-HubSpot-Request-Timestamp", "X-HubSpot-Signature", "X-HubSpot-Signature-Version", "X-Shopify-Hmac-Sha256",
    "Stripe-Signature", "x-zm-signature", "x-zm-request-timestamp", "X-Notion-Signature", "X-Goog-Channel-Token",
    "X-Goog-Resource-State", "Authorization", "X-Sig", "X-Ts", "X-GitHub-Event", "X-Shopify-Topic",
]
BODIES = [
    b"", b"{}", b"[]", b"null", b'{"value":[{}]}', b'[{"eventId":1}]', b'{"type":"url_verification"}',
    b'{"event":"endpoint.url_validation","payload":{"plainToken":1}}', b'{"verification_token":5}',
    b"<a/>", b"\xff\xfe\x00", b'{"message":{"data":7}}', b"[" * 50 + b"]" * 50, b"[" * 5_000,
    b'{"a":' * 30 + b"1" + b"}" * 30,
]
VALUES = ["", " ", "v0=", "sha256=", "t=,v1=", "t=1,v1=zz", "Bearer", "Bearer a.b.c", "eyJ.eyJ.sig",
          "\udcff", "\ud800x", str(NOW_TS), str(NOW_TS * 1000), "9" * 40, "-1", "1e9", "v0=" + "0" * 64,
          "=" * 8, "sync"]
CONFIGS = [
    GitHubConfig(secret=SecretStr("k")), SlackConfig(signing_secret=SecretStr("k")),
    HubSpotConfig(client_secret=SecretStr("k"), allow_legacy=True), ShopifyConfig(secret=SecretStr("k")),
    StripeConfig(secret=SecretStr("k")), ZoomConfig(secret_token=SecretStr("k")),
    NotionConfig(verification_token=SecretStr("k")), GraphConfig(client_state=SecretStr("k")),
    DriveChannelConfig(channel_token=SecretStr("k")), PubSubConfig(audience=URL, public_keys={"k": "not a key"}),
    SalesforceConfig(organization_id="00D000000000001", shared_secret=SecretStr("k")),
    GongConfig(public_key="not a key"),
    GenericHmacConfig(secret=SecretStr("k"), header="X-Sig", timestamp_header="X-Ts", message_prefix="{timestamp}."),
]
CTX = ParseContext("i", "t", NOW)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.scheme)
def test_random_requests_neither_raise_nor_pass(config):
    rng = random.Random(config.scheme)
    for _ in range(150):
        headers = {name: rng.choice(VALUES) for name in rng.sample(HEADERS, rng.randint(0, len(HEADERS)))}
        body = rng.choice(BODIES) if rng.random() < 0.7 else rng.randbytes(rng.randint(0, 64))
        req = RawRequest.build(rng.choice(["POST", "GET"]), URL + rng.choice(["", "?validationToken=", "?token=x"]),
                               headers, body)
        result = verify(config, req, NOW)
        assert not isinstance(result, Accepted), (headers, body)
        if isinstance(result, Challenge):
            # Only Graph's validation echo and Drive's sync answer are reachable without a secret-derived value.
            assert config.scheme in {"microsoft_graph", "google_drive"}
        assert isinstance(parse(config, req, CTX), ParsedDelivery | Malformed)


DEEP = b'{"a":' * 5_000 + b"1" + b"}" * 5_000  # past the interpreter recursion limit


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.scheme)
def test_deeply_nested_bodies_are_malformed_not_a_crash(config):
    assert isinstance(parse(config, RawRequest.build("POST", URL, {}, DEEP), CTX), Malformed | ParsedDelivery)


@pytest.mark.parametrize("config", [GitHubConfig(secret=SecretStr("k")), StripeConfig(secret=SecretStr("k"))],
                         ids=lambda c: c.scheme)
def test_deeply_nested_signed_body_is_malformed(config):
    signature = hmac_hex("k", f"{NOW_TS}.".encode() + DEEP) if config.scheme == "stripe" else hmac_hex("k", DEEP)
    headers = {"X-Hub-Signature-256": "sha256=" + signature, "X-GitHub-Event": "issues",
               "Stripe-Signature": f"t={NOW_TS},v1={signature}"}
    assert isinstance(receive(config, RawRequest.build("POST", URL, headers, DEEP), CTX), Malformed)
