"""Every HMAC scheme against the same attacks: wrong secret, tampered body, stale timestamp, missing
header, wrong encoding, no secret configured. Requests are signed here with hashlib/hmac directly."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from webhooks import (
    Accepted,
    BadSignature,
    MissingHeader,
    NoSecretConfigured,
    RawRequest,
    StaleTimestamp,
    verify,
)
from webhooks.config import (
    GenericHmacConfig,
    GitHubConfig,
    HubSpotConfig,
    NotionConfig,
    ShopifyConfig,
    SlackConfig,
    StripeConfig,
    ZoomConfig,
)

from .helpers import NOW, NOW_TS, URL, b64_to_hex, hex_to_b64, hmac_b64, hmac_hex, request

SECRET = "whsec_correct-horse-battery-staple"
BODY = b'{"id":"evt_1","type":"thing.updated","data":{"object":{"id":"obj_1"}}}'
STALE = NOW_TS - 301


@dataclass(frozen=True)
class Scheme:
    """How to configure a scheme and how a provider would sign a request for it."""

    config: Callable[[SecretStr | None], object]
    sign: Callable[[str, bytes, int, bool], dict[str, str]]  # secret, body, ts, wrong encoding -> headers
    signature_header: str
    timestamp_header: str | None


def _hex(value: str, wrong: bool) -> str:
    return hex_to_b64(value) if wrong else value


def _b64(value: str, wrong: bool) -> str:
    return b64_to_hex(value) if wrong else value


SCHEMES = {
    "github": Scheme(
        lambda s: GitHubConfig(secret=s),
        lambda k, b, t, w: {"X-Hub-Signature-256": "sha256=" + _hex(hmac_hex(k, b), w)},
        "X-Hub-Signature-256", None),
    "slack": Scheme(
        lambda s: SlackConfig(signing_secret=s),
        lambda k, b, t, w: {"X-Slack-Request-Timestamp": str(t),
                            "X-Slack-Signature": "v0=" + _hex(hmac_hex(k, f"v0:{t}:".encode() + b), w)},
        "X-Slack-Signature", "X-Slack-Request-Timestamp"),
    "hubspot-v3": Scheme(
        lambda s: HubSpotConfig(client_secret=s),
        lambda k, b, t, w: {"X-HubSpot-Request-Timestamp": str(t * 1000), "X-HubSpot-Signature-v3":
                            _b64(hmac_b64(k, f"POST{URL}".encode() + b + str(t * 1000).encode()), w)},
        "X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp"),
    "hubspot-v1-legacy": Scheme(
        lambda s: HubSpotConfig(client_secret=s, allow_legacy=True),
        lambda k, b, t, w: {"X-HubSpot-Signature-Version": "v1",
                            "X-HubSpot-Signature": _hex(hashlib.sha256(k.encode() + b).hexdigest(), w)},
        "X-HubSpot-Signature", None),
    "shopify": Scheme(
        lambda s: ShopifyConfig(secret=s),
        lambda k, b, t, w: {"X-Shopify-Hmac-Sha256": _b64(hmac_b64(k, b), w)},
        "X-Shopify-Hmac-Sha256", None),
    "stripe": Scheme(
        lambda s: StripeConfig(secret=s),
        lambda k, b, t, w: {"Stripe-Signature": f"t={t},v1=" + _hex(hmac_hex(k, f"{t}.".encode() + b), w)},
        "Stripe-Signature", None),  # the timestamp is inside the signature header
    "zoom": Scheme(
        lambda s: ZoomConfig(secret_token=s),
        lambda k, b, t, w: {"x-zm-request-timestamp": str(t),
                            "x-zm-signature": "v0=" + _hex(hmac_hex(k, f"v0:{t}:".encode() + b), w)},
        "x-zm-signature", "x-zm-request-timestamp"),
    "notion": Scheme(
        lambda s: NotionConfig(verification_token=s),
        lambda k, b, t, w: {"X-Notion-Signature": "sha256=" + _hex(hmac_hex(k, b), w)},
        "X-Notion-Signature", None),
    "generic-hex-prefix-timestamp": Scheme(
        lambda s: GenericHmacConfig(secret=s, header="X-Sig", prefix="sha256=", timestamp_header="X-Ts",
                                    message_prefix="{timestamp}."),
        lambda k, b, t, w: {"X-Ts": str(t), "X-Sig": "sha256=" + _hex(hmac_hex(k, f"{t}.".encode() + b), w)},
        "X-Sig", "X-Ts"),
    "generic-base64": Scheme(
        lambda s: GenericHmacConfig(secret=s, header="X-Body-Signature", encoding="base64"),
        lambda k, b, t, w: {"X-Body-Signature": _b64(hmac_b64(k, b), w)},
        "X-Body-Signature", None),
}
TIMED = ["slack", "hubspot-v3", "stripe", "zoom", "generic-hex-prefix-timestamp"]


def _run(
    name: str, *, secret: str | None = SECRET, sign_with: str = SECRET, sent: bytes = BODY, ts: int = NOW_TS,
    wrong_encoding: bool = False, drop: str | None = None,
) -> object:
    scheme = SCHEMES[name]
    headers = scheme.sign(sign_with, BODY, ts, wrong_encoding)
    if drop is not None:
        headers = {k: v for k, v in headers.items() if k != drop}
    config = scheme.config(SecretStr(secret) if secret is not None else None)
    return verify(config, request(sent, headers), NOW)


@pytest.mark.parametrize("name", SCHEMES)
def test_correctly_signed_request_is_accepted(name):
    assert isinstance(_run(name), Accepted)


@pytest.mark.parametrize("name", SCHEMES)
def test_wrong_secret_is_rejected(name):
    assert isinstance(_run(name, sign_with=SECRET + "x"), BadSignature)


@pytest.mark.parametrize("name", SCHEMES)
def test_tampered_body_is_rejected(name):
    assert isinstance(_run(name, sent=BODY.replace(b"obj_1", b"obj_2")), BadSignature)


@pytest.mark.parametrize("name", SCHEMES)
def test_wrong_encoding_is_rejected(name):
    assert isinstance(_run(name, wrong_encoding=True), BadSignature)


@pytest.mark.parametrize("name", SCHEMES)
def test_missing_signature_header_is_rejected(name):
    result = _run(name, drop=SCHEMES[name].signature_header)
    # HubSpot legacy without its signature falls back to asking for v3's headers: still a missing header.
    assert isinstance(result, MissingHeader)


@pytest.mark.parametrize("name", [n for n in TIMED if SCHEMES[n].timestamp_header])
def test_missing_timestamp_header_is_rejected(name):
    assert isinstance(_run(name, drop=SCHEMES[name].timestamp_header), MissingHeader)


@pytest.mark.parametrize("name", SCHEMES)
@pytest.mark.parametrize("secret", [None, ""])
def test_no_secret_configured_fails_closed(name, secret):
    # Even a request "signed" with the empty key must not pass.
    result = _run(name, secret=secret, sign_with="")
    assert isinstance(result, NoSecretConfigured)


@pytest.mark.parametrize("name", TIMED)
@pytest.mark.parametrize("offset", [-301, +301, -86_400])
def test_timestamp_outside_window_is_rejected_even_when_signed(name, offset):
    assert isinstance(_run(name, ts=NOW_TS + offset), StaleTimestamp)


@pytest.mark.parametrize("name", TIMED)
@pytest.mark.parametrize("offset", [-299, +299])
def test_timestamp_inside_window_is_accepted(name, offset):
    assert isinstance(_run(name, ts=NOW_TS + offset), Accepted)


def test_stale_constant_is_outside_the_default_window():
    assert NOW_TS - STALE > 300


def test_stripe_accepts_any_v1_and_ignores_v0():
    t = NOW_TS
    good = hmac_hex(SECRET, f"{t}.".encode() + BODY)
    bad = hmac_hex("old-secret", f"{t}.".encode() + BODY)
    config = StripeConfig(secret=SecretStr(SECRET))
    rotated = request(BODY, {"Stripe-Signature": f"t={t},v1={bad},v1={good},v0={bad}"})
    assert isinstance(verify(config, rotated, NOW), Accepted)
    downgrade = request(BODY, {"Stripe-Signature": f"t={t},v0={good}"})
    assert isinstance(verify(config, downgrade, NOW), BadSignature)


def test_hubspot_without_legacy_refuses_v1_signatures():
    headers = SCHEMES["hubspot-v1-legacy"].sign(SECRET, BODY, NOW_TS, False)
    result = verify(HubSpotConfig(client_secret=SecretStr(SECRET)), request(BODY, headers), NOW)
    assert isinstance(result, MissingHeader)


def test_hubspot_v3_signs_the_decoded_uri():
    url = "https://castiel.example.com/api/webhooks/hubspot/reg-1?name=a%20b&q=%3F"
    signed_uri = "https://castiel.example.com/api/webhooks/hubspot/reg-1?name=a b&q=%3F"
    ts = str(NOW_TS * 1000)
    sig = hmac_b64(SECRET, f"POST{signed_uri}".encode() + BODY + ts.encode())
    headers = {"X-HubSpot-Request-Timestamp": ts, "X-HubSpot-Signature-v3": sig}
    req = RawRequest.build("POST", url, headers, BODY)
    assert isinstance(verify(HubSpotConfig(client_secret=SecretStr(SECRET)), req, NOW), Accepted)


def test_headers_are_case_insensitive():
    headers = {k.upper(): v for k, v in SCHEMES["slack"].sign(SECRET, BODY, NOW_TS, False).items()}
    config = SlackConfig(signing_secret=SecretStr(SECRET))
    assert isinstance(verify(config, request(BODY, headers), NOW), Accepted)


GARBAGE = ["", "sha256=", "sha256=zz", "sha256=" + "0" * 64, "md5=" + "0" * 32, "ünicode", "sha256=\udcff"]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_signature_values_are_rejected(value):
    config = GitHubConfig(secret=SecretStr(SECRET))
    result = verify(config, request(BODY, {"X-Hub-Signature-256": value}), NOW)
    assert isinstance(result, BadSignature | MissingHeader)
