"""OAuth 2.0 as ``httpx.Auth`` flows: attach the token, renew once on 401 under a lock, resend.

Three grants share one flow (``TokenAuth``): refresh token (RFC 6749 §6), client
credentials (Dataverse, Graph, Zoom server-to-server ``account_credentials``) and JWT bearer
(RFC 7523: the Salesforce JWT flow, Google service accounts). Tokens are renewed proactively
when they are about to expire (HubSpot: "refresh on TTL, not on 401") and once on a 401.

Every new token is handed to ``on_token`` *before* it is used, so the caller persists a
rotated refresh token (Salesforce with rotation, Zoom) before anything can lose it.
The flows are async-only: adapters use ``httpx.AsyncClient``.

The ``asyncio.Lock`` only serialises renewals inside one flow object. When several flows share
one stored credential (many activities, several workers), give them a ``TokenRenewer``
(``renewer=``, or an ``on_token`` object that also has ``renew``): the flow then asks it for a
fresh token instead of calling the token endpoint itself, and the renewer runs the app-wide
per-credential critical section (``credentials.refresh``).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from core import errors

TokenCallback = Callable[["OAuthToken"], Awaitable[None]]
Clock = Callable[[], datetime]


@runtime_checkable
class TokenRenewer(Protocol):
    """Renews a token shared beyond one flow: returns a usable token other than ``stale``.

    ``stale`` is the token the flow holds (``None`` if it has none); an implementation may answer
    with a token someone else already obtained instead of calling the token endpoint.
    """

    async def renew(self, stale: OAuthToken | None) -> OAuthToken: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class OAuthToken(BaseModel):
    """An access token and what came with it; secrets are kept out of ``repr``."""

    model_config = ConfigDict(frozen=True)

    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    token_type: str = "Bearer"
    expires_at: datetime | None = None
    scope: str | None = None
    instance_url: str | None = None

    def expiring(self, now: datetime, skew: float) -> bool:
        """True when there is no usable access token or it expires within ``skew`` seconds."""
        if not self.access_token:
            return True
        return self.expires_at is not None and now >= self.expires_at - timedelta(seconds=skew)


def token_from_response(body: Any, now: datetime, previous: OAuthToken | None, provider: str) -> OAuthToken:
    """Read a §5.1 token response; a response without ``refresh_token`` keeps the previous one."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise errors.MalformedResponse("token response has no access_token", provider=provider)
    expires_in = body.get("expires_in")
    try:
        expires_at = now + timedelta(seconds=float(expires_in)) if expires_in is not None else None
    except (TypeError, ValueError) as exc:
        raise errors.MalformedResponse("token response has a bad expires_in", provider=provider) from exc
    return OAuthToken(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token") or (previous.refresh_token if previous else None),
        token_type=str(body.get("token_type") or "Bearer"),
        expires_at=expires_at,
        scope=body.get("scope"),
        instance_url=body.get("instance_url") or (previous.instance_url if previous else None),
    )


_TOKEN_ERRORS: dict[str, type[errors.SyncError]] = {
    "invalid_grant": errors.InvalidGrant,
    "invalid_client": errors.InvalidCredentials,
    "unauthorized_client": errors.InvalidCredentials,
    "invalid_request": errors.ConfigError,
    "unsupported_grant_type": errors.ConfigError,
    "invalid_scope": errors.ConfigError,
}


def token_error(response: httpx.Response, provider: str) -> errors.SyncError:
    """The typed error for a failed token request (RFC 6749 §5.2 bodies)."""
    if response.status_code == 429:
        return errors.RateLimited("token endpoint throttled", provider=provider, status=429)
    if response.status_code >= 500:
        status = response.status_code
        return errors.ServiceUnavailable("token endpoint failed", provider=provider, status=status)
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("error") if isinstance(body, dict) else None
    cls = _TOKEN_ERRORS.get(str(code), errors.AuthenticationFailed)
    detail = body.get("error_description") if isinstance(body, dict) else None
    return cls(f"token request failed: {code or response.status_code} {detail or ''}".strip(),
               provider=provider, status=response.status_code)


class TokenAuth(httpx.Auth):
    """Base flow: subclasses say how to ask for a token (``token_request``) and whether they can."""

    def __init__(
        self,
        *,
        token_url: str,
        provider: str,
        token: OAuthToken | None = None,
        on_token: TokenCallback | None = None,
        clock: Clock = utc_now,
        skew_seconds: float = 60.0,
        renewer: TokenRenewer | None = None,
    ) -> None:
        self.token_url = token_url
        self.provider = provider
        self.token = token
        self._on_token = on_token
        if renewer is None and isinstance(on_token, TokenRenewer):
            renewer = on_token
        self._renewer = renewer
        self._clock = clock
        self._skew = skew_seconds
        self._lock = asyncio.Lock()

    def can_renew(self) -> bool:
        """Whether ``token_request`` can mint a token now."""
        return True

    def token_request(self) -> httpx.Request:
        """The request that yields a new token."""
        raise NotImplementedError

    def _stale(self) -> bool:
        return self.can_renew() and (self.token is None or self.token.expiring(self._clock(), self._skew))

    async def _accept(self, response: httpx.Response) -> OAuthToken:
        await response.aread()
        if response.status_code >= 400:
            raise token_error(response, self.provider)
        try:
            body = response.json()
        except ValueError as exc:
            raise errors.MalformedResponse("token response is not JSON", provider=self.provider) from exc
        token = token_from_response(body, self._clock(), self.token, self.provider)
        if self._on_token is not None:
            await self._on_token(token)  # persisted before first use: a rotated refresh token is never lost
        self.token = token
        return token

    def _authorize(self, request: httpx.Request) -> str | None:
        if self.token is None:
            return None
        request.headers["Authorization"] = f"Bearer {self.token.access_token}"
        return self.token.access_token

    async def fetch_token(self, client: httpx.AsyncClient) -> OAuthToken:
        """Ask the token endpoint through ``client`` (no auth flow on it), hand the token to
        ``on_token``, keep it and return it. Errors are typed (``token_error``)."""
        request = self.token_request()
        try:
            response = await client.send(request, auth=None)
        except httpx.TimeoutException as exc:
            raise errors.Timeout("token request timed out", provider=self.provider) from exc
        except httpx.TransportError as exc:
            raise errors.ConnectionReset("token request failed to connect", provider=self.provider) from exc
        return await self._accept(response)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._stale():
            async with self._lock:
                if self._stale():  # another request may have renewed it while we waited
                    if self._renewer is not None:
                        self.token = await self._renewer.renew(self.token)
                    else:
                        await self._accept((yield self.token_request()))
        if self.token is None:
            raise errors.ConfigError("no access token and no way to obtain one", provider=self.provider)
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401 or not self.can_renew():
            return
        async with self._lock:
            if self.token is None or self.token.access_token == used:
                if self._renewer is not None:
                    self.token = await self._renewer.renew(self.token)
                else:
                    await self._accept((yield self.token_request()))
        self._authorize(request)
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise errors.ConfigError("OAuth flows need httpx.AsyncClient", provider=self.provider)


def _client_auth(
    data: dict[str, str], client_id: str, client_secret: str | None, basic: bool
) -> dict[str, str]:
    """Client authentication in the form body, or the headers for HTTP Basic (RFC 6749 §2.3.1)."""
    if basic:
        pair = f"{quote(client_id, safe='')}:{quote(client_secret or '', safe='')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    data["client_id"] = client_id
    if client_secret:
        data["client_secret"] = client_secret
    return {}


class RefreshTokenAuth(TokenAuth):
    """``grant_type=refresh_token`` (RFC 6749 §6)."""

    def __init__(self, *, client_id: str, client_secret: str | None = None, basic: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_id, self.client_secret, self.basic = client_id, client_secret, basic

    def can_renew(self) -> bool:
        return self.token is not None and bool(self.token.refresh_token)

    def token_request(self) -> httpx.Request:
        if self.token is None or not self.token.refresh_token:
            raise errors.ConfigError("no refresh token to renew with", provider=self.provider)
        data = {"grant_type": "refresh_token", "refresh_token": self.token.refresh_token}
        headers = _client_auth(data, self.client_id, self.client_secret, self.basic)
        return httpx.Request("POST", self.token_url, data=data, headers=headers)


class ClientCredentialsAuth(TokenAuth):
    """``grant_type=client_credentials`` (or Zoom's ``account_credentials`` via ``grant_type``/``params``)."""

    def __init__(self, *, client_id: str, client_secret: str, scope: str | None = None,
                 grant_type: str = "client_credentials", params: dict[str, str] | None = None,
                 basic: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_id, self.client_secret, self.basic = client_id, client_secret, basic
        self.scope, self.grant_type, self.params = scope, grant_type, dict(params or {})

    def token_request(self) -> httpx.Request:
        data = {"grant_type": self.grant_type, **self.params}
        if self.scope:
            data["scope"] = self.scope
        headers = _client_auth(data, self.client_id, self.client_secret, self.basic)
        return httpx.Request("POST", self.token_url, data=data, headers=headers)


JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class JwtBearerAuth(TokenAuth):
    """RFC 7523 assertion signed RS256 with PyJWT: ``claims`` holds iss/sub/aud (and Google's scope)."""

    def __init__(self, *, private_key: str, claims: dict[str, Any], lifetime_seconds: int = 300,
                 key_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key, self.claims = private_key, dict(claims)
        self.lifetime, self.key_id = lifetime_seconds, key_id

    def assertion(self) -> str:
        now = self._clock()
        payload = {**self.claims, "iat": int(now.timestamp()),
                   "exp": int((now + timedelta(seconds=self.lifetime)).timestamp())}
        headers = {"kid": self.key_id} if self.key_id else None
        import jwt  # with ``cryptography``, about 9 MB: only integrations that sign assertions load it

        try:
            return jwt.encode(payload, self._private_key, algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise errors.ConfigError("cannot sign the JWT assertion", provider=self.provider) from exc

    def token_request(self) -> httpx.Request:
        data = {"grant_type": JWT_BEARER_GRANT, "assertion": self.assertion()}
        return httpx.Request("POST", self.token_url, data=data)
