"""Drive HTTP: one ``httpx.AsyncClient`` with the service-account JWT bearer flow, behind ``ProviderHttp``.

Auth (developers.google.com/identity/protocols/oauth2/service-account): an RS256 JWT with
``iss`` = the service account email, ``scope``, ``aud`` = the token URI, ``iat``/``exp`` (at most one
hour), and ``sub`` for domain-wide delegation, exchanged at the token URI with
``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``. There is no refresh token: the flow
signs a new assertion before expiry and once on a 401.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from adapters.gdrive.errors import PROVIDER, classify
from adapters.gdrive.spec import DriveConnection
from adapters.http.limits import LIMIT_PARSERS
from adapters.http.oauth import JwtBearerAuth, TokenCallback, utc_now
from adapters.http.retry import RetryPolicy
from adapters.http.session import HttpOptions, ProviderHttp

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
ASSERTION_LIFETIME = 3600  # Google's maximum


def drive_auth(conn: DriveConnection, *, on_token: TokenCallback | None = None,
               clock: Callable[[], datetime] = utc_now) -> JwtBearerAuth:
    """The JWT bearer flow for this service account."""
    claims: dict[str, Any] = {"iss": conn.client_email, "scope": " ".join(conn.scopes), "aud": conn.token_uri}
    if conn.subject:
        claims["sub"] = conn.subject
    return JwtBearerAuth(
        token_url=conn.token_uri,
        provider=PROVIDER,
        private_key=conn.private_key.get_secret_value(),
        claims=claims,
        lifetime_seconds=ASSERTION_LIFETIME,
        key_id=conn.private_key_id,
        on_token=on_token,
        clock=clock,
    )


def drive_http(
    conn: DriveConnection,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_token: TokenCallback | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    policy: RetryPolicy | None = None,
) -> ProviderHttp:
    """A ``ProviderHttp`` for Drive; ``transport`` lets tests serve recorded responses."""
    client = httpx.AsyncClient(
        auth=drive_auth(conn, on_token=on_token, clock=clock),
        transport=transport,
        timeout=DEFAULT_TIMEOUT,
        headers={"Accept": "application/json"},
    )
    return ProviderHttp(
        client,
        provider=PROVIDER,
        classify=lambda response: classify(response, clock()),
        parse_limits=LIMIT_PARSERS[PROVIDER],
        options=HttpOptions(policy=policy or RetryPolicy(), sleep=sleep, clock=clock),
    )
