"""Building adapters from an Integration's connection and a stored credential."""

from datetime import UTC, datetime

import httpx
import pytest

from adapters.base import ProviderAdapter
from adapters.http.auth import HeaderAuth, QueryParamAuth
from adapters.http.credentials import auth_for, merge_token
from adapters.http.oauth import ClientCredentialsAuth, JwtBearerAuth, OAuthToken, RefreshTokenAuth
from adapters.registry import build_adapter
from core import errors as e

CONNECTIONS = {
    "salesforce": {"instanceUrl": "https://acme.my.salesforce.com"},
    "hubspot": {},
    "dynamics": {"instanceUrl": "https://contoso.crm.dynamics.com"},
}


@pytest.mark.parametrize("provider", sorted(CONNECTIONS))
async def test_each_adapter_meets_the_protocol(provider: str) -> None:
    adapter = build_adapter(provider, CONNECTIONS[provider], {"type": "bearer", "token": "t"},
                            rate_limits={"requestsPerSecond": 2})
    assert isinstance(adapter, ProviderAdapter)
    assert adapter.provider == provider
    assert adapter.limits().requests_per_second == 2
    assert adapter.classify(httpx.Response(200)) is None
    assert isinstance(adapter.classify(httpx.Response(503)), e.ServiceUnavailable)
    await adapter.aclose()


def test_unknown_provider_and_bad_credential_are_config_errors() -> None:
    with pytest.raises(e.ConfigError):
        build_adapter("myspace", {}, {"type": "bearer", "token": "t"})
    with pytest.raises(e.ConfigError):
        build_adapter("hubspot", {}, {"type": "oauth2"})
    with pytest.raises(e.ConfigError):
        build_adapter("hubspot", {}, {"type": "connection_string", "connectionString": "x"})


def test_credential_types_map_to_auth_flows() -> None:
    oauth = {"type": "oauth2", "refreshToken": "rt", "clientId": "c", "tokenUrl": "https://x.example/token"}
    assert isinstance(auth_for(oauth, "hubspot"), RefreshTokenAuth)
    cc = {"type": "oauth2_client_credentials", "clientId": "c", "clientSecret": "s",
          "tokenUrl": "https://x.example/token"}
    assert isinstance(auth_for(cc, "dynamics"), ClientCredentialsAuth)
    jwt_cred = {"type": "jwt_bearer", "issuer": "sa@p.iam.gserviceaccount.com", "privateKey": "k",
                "tokenUrl": "https://oauth2.googleapis.com/token"}
    assert isinstance(auth_for(jwt_cred, "gdrive"), JwtBearerAuth)
    query_key = {"type": "api_key", "apiKey": "k", "queryParam": "hapikey"}
    assert isinstance(auth_for(query_key, "x"), QueryParamAuth)
    assert isinstance(auth_for({"type": "basic", "username": "u", "password": "p"}, "gong"), httpx.BasicAuth)
    assert isinstance(auth_for({"type": "custom_headers", "headers": {"X-Key": "v"}}, "x"), HeaderAuth)


def test_api_key_header_and_prefix() -> None:
    auth = auth_for({"type": "api_key", "apiKey": "k1", "headerName": "X-Api-Key"}, "x")
    request = httpx.Request("GET", "https://api.example.com/")
    flow = auth.sync_auth_flow(request)
    assert next(flow).headers["X-Api-Key"] == "k1"
    auth = auth_for({"type": "api_key", "apiKey": "k2", "prefix": "Token"}, "x")
    sent = next(auth.sync_auth_flow(httpx.Request("GET", "https://a.example/")))
    assert sent.headers["Authorization"] == "Token k2"


def test_merge_token_keeps_the_credential_and_rotates_the_refresh_token() -> None:
    stored = {"type": "oauth2", "accessToken": "a1", "refreshToken": "r1", "clientId": "c", "tokenUrl": "u"}
    when = datetime(2026, 1, 1, tzinfo=UTC)
    merged = merge_token(stored, OAuthToken(access_token="a2", refresh_token="r2", expires_at=when))
    expected = {**stored, "accessToken": "a2", "refreshToken": "r2", "expiresAt": "2026-01-01T00:00:00+00:00"}
    assert merged == expected
    assert stored["refreshToken"] == "r1"
    kept = merge_token(stored, OAuthToken(access_token="a3"))
    assert kept["refreshToken"] == "r1" and kept["expiresAt"] is None
