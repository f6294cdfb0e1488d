"""Published test vectors (providers.md Part 1) through the real verifiers.

Official vectors come from the providers' docs or SDK tests; the three marked SELF-GENERATED have no
published vector (providers.md says so) and are round trips of the documented algorithm only.
"""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from webhooks import Accepted, Challenge, verify
from webhooks.config import (
    GitHubConfig,
    HubSpotConfig,
    NotionConfig,
    ShopifyConfig,
    SlackConfig,
    StripeConfig,
    ZoomConfig,
)

from .helpers import at, hmac_hex, request

HUBSPOT_SECRET = SecretStr("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy")
HUBSPOT_DOC_BODY = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM",'
    b'"changeFlag":"NEW","appId":54321}]'
)
HUBSPOT_SDK_BODY = b"{'example_field':'example_value'}"
HUBSPOT_URL = "https://www.example.com/webhook_uri"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

VECTORS = [
    pytest.param(  # github/docs validating-webhook-deliveries.md
        GitHubConfig(secret=SecretStr("It's a Secret to Everybody")),
        request(b"Hello, World!", {"X-Hub-Signature-256":
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}),
        at(1_700_000_000), id="github-docs",
    ),
    pytest.param(  # Slack docs, via slackapi/python-slack-sdk tests/slack_sdk/signature
        SlackConfig(signing_secret=SecretStr("8f742231b10e8888abcd99yyyzzz85a5")),
        request(SLACK_BODY, {
            "X-Slack-Request-Timestamp": "1531420618",
            "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"}),
        at(1531420618 + 10), id="slack-docs",
    ),
    pytest.param(  # developers.hubspot.com v1-request-validation
        HubSpotConfig(client_secret=HUBSPOT_SECRET, allow_legacy=True),
        request(HUBSPOT_DOC_BODY, {
            "X-HubSpot-Signature-Version": "v1",
            "X-HubSpot-Signature": "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"}),
        at(1_700_000_000), id="hubspot-v1-docs",
    ),
    pytest.param(  # developers.hubspot.com v2-request-validation (GET, empty body)
        HubSpotConfig(client_secret=HUBSPOT_SECRET, allow_legacy=True),
        request(b"", {
            "X-HubSpot-Signature-Version": "v2",
            "X-HubSpot-Signature": "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"},
            method="GET", url=HUBSPOT_URL),
        at(1_700_000_000), id="hubspot-v2-get-docs",
    ),
    pytest.param(  # HubSpot/hubspot-api-python tests/spec/utils/test_signature.py
        HubSpotConfig(client_secret=HUBSPOT_SECRET, allow_legacy=True),
        request(HUBSPOT_SDK_BODY, {
            "X-HubSpot-Signature-Version": "v1",
            "X-HubSpot-Signature": "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750"},
            url=HUBSPOT_URL),
        at(1_700_000_000), id="hubspot-v1-sdk",
    ),
    pytest.param(
        HubSpotConfig(client_secret=HUBSPOT_SECRET, allow_legacy=True),
        request(HUBSPOT_SDK_BODY, {
            "X-HubSpot-Signature-Version": "v2",
            "X-HubSpot-Signature": "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383"},
            url=HUBSPOT_URL),
        at(1_700_000_000), id="hubspot-v2-post-sdk",
    ),
    pytest.param(  # v3: timestamp 15000000 ms = 15000 s after the epoch
        HubSpotConfig(client_secret=HUBSPOT_SECRET),
        request(HUBSPOT_SDK_BODY, {
            "X-HubSpot-Request-Timestamp": "15000000",
            "X-HubSpot-Signature-v3": "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="},
            url=HUBSPOT_URL),
        at(15_000 + 60), id="hubspot-v3-sdk",
    ),
    pytest.param(  # Shopify/shopify-app-js lib/webhooks/__tests__/validate.test.ts
        ShopifyConfig(secret=SecretStr("test_secret_key")),
        request(b'{"foo": "bar"}', {"X-Shopify-Hmac-Sha256": "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="}),
        at(1_700_000_000), id="shopify-sdk",
    ),
    pytest.param(  # SELF-GENERATED (providers.md 1.3): Stripe publishes no secret+body+signature triple
        StripeConfig(secret=SecretStr("whsec_test_secret")),
        request(b'{"id":"evt_test_webhook","object":"event"}', {"Stripe-Signature":
            "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"}),
        at(1_700_000_000 + 30), id="stripe-self-generated",
    ),
    pytest.param(  # SELF-GENERATED (providers.md 1.5): Zoom's docs omit the secret token
        ZoomConfig(secret_token=SecretStr("zoom_secret_token")),
        request(b'{"event":"meeting.started","payload":{},"event_ts":1739923528000}', {
            "x-zm-request-timestamp": "1739923528",
            "x-zm-signature": "v0=7e4870fdf7efb73b6d6712bf58279dff97770fe00e38b4347a0062c6e7dec753"}),
        at(1739923528 + 5), id="zoom-self-generated",
    ),
    pytest.param(  # SELF-GENERATED (providers.md 1.7): Notion publishes no vector
        NotionConfig(verification_token=SecretStr("secret_notion_verification_token")),
        request(b'{"type":"page.created"}', {"X-Notion-Signature":
            "sha256=aa38515d84e42f8d2a92613dffbd2e7e76da0c3f9c50afa605caaa7776622fdb"}),
        at(1_700_000_000), id="notion-self-generated",
    ),
]


@pytest.mark.parametrize(("config", "req", "now"), VECTORS)
def test_published_vector_is_accepted(config, req, now):
    assert isinstance(verify(config, req, now), Accepted)


@pytest.mark.parametrize(("config", "req", "now"), VECTORS)
def test_vector_with_one_body_byte_flipped_is_rejected(config, req, now):
    body = bytearray(req.body or b"x")
    body[len(body) // 2] ^= 0x01
    tampered = req.__class__(req.method, req.url, req.headers, bytes(body), req.query)
    assert not isinstance(verify(config, tampered, now), Accepted)


def test_zoom_url_validation_answers_with_the_documented_algorithm():
    # SELF-GENERATED (providers.md 1.5): plainToken from Zoom's docs, secret token ours.
    body = (b'{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,'
            b'"event":"endpoint.url_validation"}')

    ts = "1654503850"
    req = request(body, {
        "x-zm-request-timestamp": ts,
        "x-zm-signature": "v0=" + hmac_hex("zoom_secret_token", f"v0:{ts}:".encode() + body),
    })
    result = verify(ZoomConfig(secret_token=SecretStr("zoom_secret_token")), req, at(int(ts)))
    assert isinstance(result, Challenge)
    assert result.status == 200 and result.content_type == "application/json"
    assert json.loads(result.body) == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": "bd48235863f4a6323ccc4963c594908b7c97f88b4a6a95278f4f093690b12726",
    }
