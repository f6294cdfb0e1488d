"""Google Pub/Sub push and Gong: RS256 JWTs verified against configured public keys."""

from __future__ import annotations

import hashlib
import hmac
import json

import jwt
import pytest

from webhooks import Accepted, BadSignature, MissingHeader, NoSecretConfigured, StaleTimestamp, verify
from webhooks.config import GongConfig, PubSubConfig

from .helpers import NOW, NOW_TS, URL, at, request

# Google's docs example push token (cloud.google.com/pubsub/docs/authenticate-push-subscriptions,
# "JWT format"), line wraps removed, and Google's published JWK for its kid, as embedded in public
# test fixtures. The signature is Google's: this is a real RS256 vector.
GOOGLE_DOC_TOKEN = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjdkNjgwZDhjNzBkNDRlOTQ3MTMzY2JkNDk5ZWJjMWE2MWMzZDVhYmMiLCJ0eXAiOiJKV1QifQ"
    ".eyJhdWQiOiJodHRwczovL2V4YW1wbGUuY29tIiwiYXpwIjoiMTEzNzc0MjY0NDYzMDM4MzIxOTY0IiwiZW1haWwiOiJnYWUtZ2Nw"
    "QGFwcHNwb3QuZ3NlcnZpY2VhY2NvdW50LmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJleHAiOjE1NTAxODU5MzUsImlhdCI6MTU1"
    "MDE4MjMzNSwiaXNzIjoiaHR0cHM6Ly9hY2NvdW50cy5nb29nbGUuY29tIiwic3ViIjoiMTEzNzc0MjY0NDYzMDM4MzIxOTY0In0"
    ".QVjyqpmadTyDZmlX2u3jWd1kJ68YkdwsRZDo-QxSPbxjug4ucLBwAs2QePrcgZ6hhkvdc4UHY4YF3fz9g7XHULNVIzX5xh02qXEH8dK"
    "6PgGndIWcZQzjSYfgO-q-R2oo2hNM5HBBsQN4ARtGK_acG-NGGWM3CQfahbEjZPAJe_B8M7HfIu_G5jOLZCw2EUcGo8BvEwGcLWB2WqE"
    "gRM0-xt5-UPzoa3-FpSPG7DHk7z9zRUeq6eB__ldb-2o4RciJmjVwHgnYqn3VvlX9oVKEgXpNFhKuYA-mWh5o7BCwhujSMmFoBOh6mbIX"
    "Fcyf5UiVqKjpqEbqPGo_AvKvIQ9VTQ"
)
GOOGLE_KID = "7d680d8c70d44e947133cbd499ebc1a61c3d5abc"
GOOGLE_JWK = json.dumps({
    "kid": GOOGLE_KID, "e": "AQAB", "kty": "RSA", "alg": "RS256", "use": "sig",
    "n": "2K7epoJWl_B68lRUi1txaa0kEuIK4WHiHpi1yC4kPyu48d046yLlrwuvbQMbog2YTOZdVoG1D4zlWKHuVY00O80U1ocFmB"
         "l3fKVrUMakvHru0C0mAcEUQo7ItyEX7rpOVYtxlrVk6G8PY4EK61EB-Xe35P0zb2AMZn7Tvm9-tLcccqYlrYBO4SWOwd5uBSqc"
         "_WcNJXgnQ-9sYEZ0JUMhKZelEMrpX72hslmduiz-LMsXCnbS7jDGcUuSjHXVLM9tb1SQynx5Xz9xyGeN4rQLnFIKvgwpiqnvLp"
         "bMo6grhJwrz67d1X6MwpKtAcqZ2V2v4rQsjbblNH7GzF8ZsfOaqw",
})
DOC_IAT = 1550182335
PUSH_BODY = b'{"message":{"data":"eyJ4IjoxfQ==","messageId":"136969346945"},"subscription":"s"}'


def _doc_config(**overrides) -> PubSubConfig:
    values = {"audience": "https://example.com", "public_keys": {GOOGLE_KID: GOOGLE_JWK},
              "service_account_email": "gae-gcp@appspot.gserviceaccount.com"}
    return PubSubConfig(**(values | overrides))


def _push(token: str, body: bytes = PUSH_BODY):
    return request(body, {"Authorization": f"Bearer {token}"})


def test_google_docs_token_verifies_against_googles_key():
    assert isinstance(verify(_doc_config(), _push(GOOGLE_DOC_TOKEN), at(DOC_IAT + 60)), Accepted)


@pytest.mark.parametrize(
    ("overrides", "now", "expected"),
    [
        ({"audience": "https://castiel.example.com"}, DOC_IAT + 60, BadSignature),
        ({"service_account_email": "other@example.iam.gserviceaccount.com"}, DOC_IAT + 60, BadSignature),
        ({"issuers": ("https://issuer.example.com",)}, DOC_IAT + 60, BadSignature),
        ({"public_keys": {"another-kid": GOOGLE_JWK}}, DOC_IAT + 60, BadSignature),
        ({}, DOC_IAT + 3600 + 61, StaleTimestamp),  # exp = iat + 3600, leeway 60
        ({"public_keys": {}}, DOC_IAT + 60, NoSecretConfigured),
        ({"audience": None}, DOC_IAT + 60, NoSecretConfigured),
    ],
)
def test_google_docs_token_negative(overrides, now, expected):
    assert isinstance(verify(_doc_config(**overrides), _push(GOOGLE_DOC_TOKEN), at(now)), expected)


def test_google_docs_token_with_altered_claims_fails_signature():
    header, claims, signature = GOOGLE_DOC_TOKEN.split(".")
    forged_claims = jwt.utils.base64url_encode(json.dumps({
        "aud": "https://example.com", "email": "gae-gcp@appspot.gserviceaccount.com", "email_verified": True,
        "exp": 9_999_999_999, "iat": DOC_IAT, "iss": "https://accounts.google.com"}).encode()).decode()
    result = verify(_doc_config(), _push(f"{header}.{forged_claims}.{signature}"), at(DOC_IAT + 60))
    assert isinstance(result, BadSignature)


def test_pubsub_missing_authorization_header():
    assert isinstance(verify(_doc_config(), request(PUSH_BODY), at(DOC_IAT + 60)), MissingHeader)


def test_pubsub_with_generated_key_and_alg_confusion(signer):
    claims = {"aud": URL, "iss": "https://accounts.google.com", "iat": NOW_TS, "exp": NOW_TS + 3600,
              "email": "push@p.iam.gserviceaccount.com", "email_verified": True}
    config = PubSubConfig(audience=URL, public_keys={"k1": signer.public_pem})
    good = jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": "k1"})
    assert isinstance(verify(config, _push(good), NOW), Accepted)
    # HS256 keyed with the public key text: the classic confusion attack must not pass.
    forged = _hs256(claims, signer.public_pem.encode(), kid="k1")
    assert isinstance(verify(config, _push(forged), NOW), BadSignature)
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})
    assert isinstance(verify(config, _push(unsigned), NOW), BadSignature)


def _hs256(claims: dict, key: bytes, kid: str) -> str:
    # Built by hand: PyJWT (rightly) refuses to HMAC with a PEM key, an attacker would not.
    b64 = jwt.utils.base64url_encode
    header = b64(json.dumps({"alg": "HS256", "kid": kid}).encode())
    signing_input = header + b"." + b64(json.dumps(claims).encode())
    return (signing_input + b"." + b64(hmac.new(key, signing_input, hashlib.sha256).digest())).decode()


GONG_BODY = b'{"callData":{"metaData":{"id":"5599332235511222779","started":"2019-10-18T14:03:37-07:00"}}}'


def _gong_token(key, body=GONG_BODY, url=URL, **extra) -> str:
    claims = {"webhook_url": url, "body_sha256": hashlib.sha256(body).hexdigest(), "iat": NOW_TS,
              "exp": NOW_TS + 300} | extra
    return jwt.encode(claims, key, algorithm="RS256")


def test_gong_signed_jwt_is_accepted_with_or_without_bearer(signer):
    config = GongConfig(public_key=signer.public_pem)
    token = _gong_token(signer.private)
    assert isinstance(verify(config, request(GONG_BODY, {"Authorization": token}), NOW), Accepted)
    assert isinstance(verify(config, request(GONG_BODY, {"Authorization": f"Bearer {token}"}), NOW), Accepted)


def test_gong_key_as_bare_base64_is_accepted(signer):
    bare = "".join(line for line in signer.public_pem.splitlines() if "-----" not in line)
    config = GongConfig(public_key=bare)
    assert isinstance(verify(config, request(GONG_BODY, {"Authorization": _gong_token(signer.private)}), NOW),
                      Accepted)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong_key", BadSignature),
        ("tampered_body", BadSignature),
        ("other_url", BadSignature),
        ("no_body_hash", BadSignature),
        ("expired", StaleTimestamp),
        ("missing_header", MissingHeader),
        ("no_key", NoSecretConfigured),
    ],
)
def test_gong_negative(signer, other_signer, case, expected):
    config = GongConfig(public_key=None if case == "no_key" else signer.public_pem)
    body, token = GONG_BODY, _gong_token(signer.private)
    if case == "wrong_key":
        token = _gong_token(other_signer.private)
    elif case == "tampered_body":
        body = GONG_BODY.replace(b"5599", b"6699")
    elif case == "other_url":
        token = _gong_token(signer.private, url="https://attacker.example.com/hook")
    elif case == "no_body_hash":
        token = jwt.encode({"webhook_url": URL, "exp": NOW_TS + 300}, signer.private, algorithm="RS256")
    elif case == "expired":
        token = _gong_token(signer.private, exp=NOW_TS - 120)
    headers = {} if case == "missing_header" else {"Authorization": token}
    assert isinstance(verify(config, request(body, headers), NOW), expected)
