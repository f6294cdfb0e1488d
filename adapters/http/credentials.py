"""A stored credential (``core.models.credentials``) turned into the ``httpx.Auth`` flow for it.

Providers add their defaults through ``AuthHints`` (Dataverse's ``/.default`` scope, Zoom's
``account_credentials`` grant, the Salesforce JWT audience); the credential's own fields win.
``merge_token`` folds a renewed token back into the stored credential so the caller can persist it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from adapters.http.auth import BasicAuth, HeaderAuth, QueryParamAuth, bearer
from adapters.http.oauth import (
    ClientCredentialsAuth,
    JwtBearerAuth,
    OAuthToken,
    RefreshTokenAuth,
    TokenCallback,
    TokenRenewer,
    utc_now,
)
from core import errors
from core.models.credentials import (
    ApiKeyCredential,
    BasicCredential,
    BearerCredential,
    ClientCredentialsCredential,
    CustomHeadersCredential,
    JwtBearerCredential,
    OAuth2Credential,
    parse_credential,
)


class AuthHints(BaseModel):
    """Provider defaults for building auth; every field is optional."""

    model_config = ConfigDict(frozen=True)

    token_url: str | None = None
    scope: str | None = None
    audience: str | None = None
    grant_type: str = "client_credentials"
    params: dict[str, str] = {}
    basic_client_auth: bool = False


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _initial(access: SecretStr | None, refresh: SecretStr | None, expires: datetime | None) -> OAuthToken:
    return OAuthToken(access_token=_secret(access) or "", refresh_token=_secret(refresh), expires_at=expires)


def _token_url(cred_url: str | None, hints: AuthHints, provider: str) -> str:
    url = cred_url or hints.token_url
    if not url:
        raise errors.ConfigError("credential has no tokenUrl", provider=provider)
    return url


def _oauth2(cred: OAuth2Credential, hints: AuthHints, common: dict[str, Any]) -> httpx.Auth:
    return RefreshTokenAuth(
        token_url=_token_url(cred.token_url, hints, common["provider"]),
        client_id=cred.client_id,
        client_secret=_secret(cred.client_secret),
        basic=hints.basic_client_auth,
        token=_initial(cred.access_token, cred.refresh_token, cred.expires_at),
        **common,
    )


def _client_credentials(
    cred: ClientCredentialsCredential, hints: AuthHints, common: dict[str, Any]
) -> httpx.Auth:
    return ClientCredentialsAuth(
        token_url=_token_url(cred.token_url, hints, common["provider"]),
        client_id=cred.client_id,
        client_secret=cred.client_secret.get_secret_value(),
        scope=cred.scope or hints.scope,
        grant_type=hints.grant_type,
        params=hints.params,
        basic=hints.basic_client_auth,
        token=_initial(cred.access_token, None, cred.expires_at) if cred.access_token else None,
        **common,
    )


def _jwt_bearer(cred: JwtBearerCredential, hints: AuthHints, common: dict[str, Any]) -> httpx.Auth:
    claims = {"iss": cred.issuer, "sub": cred.subject, "aud": cred.audience or hints.audience,
              "scope": cred.scope or hints.scope}
    return JwtBearerAuth(
        token_url=_token_url(cred.token_url, hints, common["provider"]),
        private_key=cred.private_key.get_secret_value(),
        key_id=cred.key_id,
        claims={k: v for k, v in claims.items() if v},
        token=_initial(cred.access_token, None, cred.expires_at) if cred.access_token else None,
        **common,
    )


def _api_key(cred: ApiKeyCredential, hints: AuthHints, common: dict[str, Any]) -> httpx.Auth:
    key = cred.api_key.get_secret_value()
    if cred.query_param:
        return QueryParamAuth(cred.query_param, key)
    value = f"{cred.prefix} {key}" if cred.prefix else key
    return HeaderAuth({cred.header_name or "Authorization": value})


def _basic(cred: BasicCredential, hints: AuthHints, common: dict[str, Any]) -> httpx.Auth:
    return BasicAuth(cred.username, cred.password.get_secret_value())


def _bearer(cred: BearerCredential, hints: AuthHints, common: dict[str, Any]) -> httpx.Auth:
    return bearer(cred.token.get_secret_value())


def _headers(cred: CustomHeadersCredential, hints: AuthHints, common: dict[str, Any]) -> httpx.Auth:
    return HeaderAuth({name: value.get_secret_value() for name, value in cred.headers.items()})


_BUILDERS: dict[type, Callable[[Any, AuthHints, dict[str, Any]], httpx.Auth]] = {
    OAuth2Credential: _oauth2,
    ClientCredentialsCredential: _client_credentials,
    JwtBearerCredential: _jwt_bearer,
    ApiKeyCredential: _api_key,
    BasicCredential: _basic,
    BearerCredential: _bearer,
    CustomHeadersCredential: _headers,
}


def auth_for(
    credential: dict[str, Any],
    provider: str,
    *,
    hints: AuthHints | None = None,
    on_token: TokenCallback | None = None,
    clock: Callable[[], datetime] = utc_now,
    renewer: TokenRenewer | None = None,
) -> httpx.Auth:
    """The auth flow for a credential dict (camelCase, secrets revealed, as the secret store holds it).

    ``renewer`` (or an ``on_token`` that is also a ``TokenRenewer``) makes token flows renew through
    a shared critical section instead of calling the token endpoint themselves.
    """
    try:
        cred = parse_credential(credential)
    except ValidationError as exc:
        problems = exc.error_count()
        raise errors.ConfigError(f"invalid credential: {problems} problem(s)", provider=provider) from exc
    builder = _BUILDERS.get(type(cred))
    if builder is None:
        raise errors.ConfigError(f"credential type {cred.type!r} is not supported", provider=provider)
    common: dict[str, Any] = {"provider": provider, "on_token": on_token, "clock": clock, "renewer": renewer}
    return builder(cred, hints or AuthHints(), common)


def merge_token(credential: dict[str, Any], token: OAuthToken) -> dict[str, Any]:
    """The stored credential with a renewed token folded in (camelCase, ready for the secret store)."""
    merged = dict(credential)
    merged["accessToken"] = token.access_token
    if token.refresh_token:
        merged["refreshToken"] = token.refresh_token
    merged["expiresAt"] = token.expires_at.isoformat() if token.expires_at else None
    return merged
