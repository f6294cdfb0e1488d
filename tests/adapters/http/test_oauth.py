"""OAuth flows: attach, renew once on 401 under a lock, resend, hand rotated tokens back."""

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.http.oauth import (
    JWT_BEARER_GRANT,
    ClientCredentialsAuth,
    JwtBearerAuth,
    OAuthToken,
    RefreshTokenAuth,
)
from core import errors as e

TOKEN_URL = "https://login.example.com/oauth2/token"
API = "https://api.example.com/data"
NOW = datetime(2024, 5, 30, 12, 0, tzinfo=UTC)


class FakeProvider:
    """An API that accepts one bearer token, and a token endpoint that rotates tokens."""

    def __init__(self, valid: str = "fresh", token_body: dict | None = None, token_status: int = 200) -> None:
        self.valid = valid
        self.token_body = token_body or {"access_token": "fresh", "refresh_token": "rt-2", "expires_in": 3600}
        self.token_status = token_status
        self.token_calls: list[dict[str, list[str]]] = []
        self.token_headers: list[httpx.Headers] = []
        self.api_auth: list[str] = []

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.token_calls.append(parse_qs(request.content.decode()))
            self.token_headers.append(request.headers)
            await asyncio.sleep(0)  # let concurrent requests pile up on the lock
            return httpx.Response(self.token_status, json=self.token_body)
        auth = request.headers.get("Authorization", "")
        self.api_auth.append(auth)
        if auth == f"Bearer {self.valid}":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}])


def refresh_auth(saved: list[OAuthToken], **token_fields) -> RefreshTokenAuth:
    async def persist(token: OAuthToken) -> None:
        saved.append(token)

    token = OAuthToken(access_token="stale", refresh_token="rt-1", **token_fields)
    return RefreshTokenAuth(token_url=TOKEN_URL, provider="salesforce", client_id="cid", client_secret="cs",
                            token=token, on_token=persist, clock=lambda: NOW)


async def test_401_refreshes_once_resends_and_hands_back_the_rotated_token() -> None:
    fake, saved = FakeProvider(), []
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=refresh_auth(saved)) as c:
        response = await c.get(API)
    assert response.status_code == 200
    assert fake.api_auth == ["Bearer stale", "Bearer fresh"]
    assert fake.token_calls == [{"grant_type": ["refresh_token"], "refresh_token": ["rt-1"],
                                 "client_id": ["cid"], "client_secret": ["cs"]}]
    assert [t.refresh_token for t in saved] == ["rt-2"]
    assert saved[0].expires_at == NOW + timedelta(hours=1)


async def test_concurrent_401s_share_one_refresh() -> None:
    fake, saved = FakeProvider(), []
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=refresh_auth(saved)) as c:
        responses = await asyncio.gather(*(c.get(API) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert len(fake.token_calls) == 1 and len(saved) == 1


async def test_a_second_401_is_returned_not_looped() -> None:
    fake, saved = FakeProvider(valid="never"), []
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=refresh_auth(saved)) as c:
        response = await c.get(API)
    assert response.status_code == 401 and len(fake.token_calls) == 1


async def test_expiring_token_is_renewed_before_the_call() -> None:
    fake, saved = FakeProvider(), []
    auth = refresh_auth(saved, expires_at=NOW + timedelta(seconds=30))
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=auth) as c:
        await c.get(API)
    assert fake.api_auth == ["Bearer fresh"] and len(fake.token_calls) == 1


async def test_non_rotating_provider_keeps_the_old_refresh_token() -> None:
    fake, saved = FakeProvider(token_body={"access_token": "fresh", "expires_in": 1800}), []
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=refresh_auth(saved)) as c:
        await c.get(API)
    assert saved[0].refresh_token == "rt-1"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"error": "invalid_grant", "error_description": "expired access/refresh token"},
         e.InvalidGrant),
        (401, {"error": "invalid_client"}, e.InvalidCredentials),
        (400, {"error": "unsupported_grant_type"}, e.ConfigError),
        (503, {}, e.ServiceUnavailable),
        (200, {"token_type": "Bearer"}, e.MalformedResponse),
    ],
)
async def test_token_endpoint_failures_are_typed(status, body, error) -> None:
    fake, saved = FakeProvider(token_body=body, token_status=status), []
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=refresh_auth(saved)) as c:
        with pytest.raises(error):
            await c.get(API)
    assert saved == []


async def test_client_credentials_fetches_a_token_first_with_scope() -> None:
    fake = FakeProvider(token_body={"access_token": "fresh", "expires_in": 3599, "token_type": "Bearer"})
    auth = ClientCredentialsAuth(token_url=TOKEN_URL, provider="dynamics", client_id="app",
                                 client_secret="s3", scope="https://org.crm.dynamics.com/.default")
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=auth) as c:
        await c.get(API)
        await c.get(API)
    assert fake.api_auth == ["Bearer fresh", "Bearer fresh"]
    assert fake.token_calls == [{"grant_type": ["client_credentials"], "scope": ["https://org.crm.dynamics.com/.default"],
                                 "client_id": ["app"], "client_secret": ["s3"]}]


async def test_zoom_account_credentials_use_basic_client_auth() -> None:
    fake = FakeProvider(token_body={"access_token": "fresh", "expires_in": 3599})
    auth = ClientCredentialsAuth(token_url=TOKEN_URL, provider="zoom", client_id="zid", client_secret="zs",
                                 grant_type="account_credentials", params={"account_id": "acc"}, basic=True)
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=auth) as c:
        await c.get(API)
    assert fake.token_calls == [{"grant_type": ["account_credentials"], "account_id": ["acc"]}]
    assert fake.token_headers[0]["Authorization"] == "Basic " + base64.b64encode(b"zid:zs").decode()


async def test_jwt_bearer_assertion_is_rs256_with_the_given_claims() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    fake = FakeProvider(token_body={"access_token": "fresh", "instance_url": "https://acme.my.salesforce.com"})
    claims = {"iss": "consumer-key", "sub": "user@acme.com", "aud": "https://login.salesforce.com"}
    auth = JwtBearerAuth(token_url=TOKEN_URL, provider="salesforce", private_key=pem, claims=claims,
                         clock=lambda: NOW)
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler), auth=auth) as c:
        await c.get(API)
    form = fake.token_calls[0]
    assert form["grant_type"] == [JWT_BEARER_GRANT]
    decoded = jwt.decode(form["assertion"][0], key.public_key(), algorithms=["RS256"],
                         audience="https://login.salesforce.com", options={"verify_exp": False})
    assert decoded["iss"] == "consumer-key" and decoded["sub"] == "user@acme.com"
    assert decoded["exp"] - decoded["iat"] == 300
    assert auth.token is not None and auth.token.instance_url == "https://acme.my.salesforce.com"


def test_bad_private_key_is_a_config_error() -> None:
    auth = JwtBearerAuth(token_url=TOKEN_URL, provider="gdrive", private_key="not a key", claims={})
    with pytest.raises(e.ConfigError):
        auth.assertion()


def test_tokens_stay_out_of_repr() -> None:
    token = OAuthToken(access_token="secret-at", refresh_token="secret-rt")
    assert "secret" not in repr(token)
