"""Graph HTTP: one ``httpx.AsyncClient`` with the client-credentials flow, behind ``ProviderHttp``.

Auth (Entra ID v2, client credentials): POST the tenant's token endpoint with
``grant_type=client_credentials`` and ``scope=https://graph.microsoft.com/.default``
(learn.microsoft.com/graph/auth-v2-service). The flow renews the token before expiry and once
on a 401, then resends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import httpx

from adapters.graph.errors import PROVIDER, classify
from adapters.graph.spec import GRAPH_SCOPE, GraphConnection
from adapters.http.limits import LIMIT_PARSERS
from adapters.http.oauth import ClientCredentialsAuth, TokenCallback, utc_now
from adapters.http.retry import RetryPolicy
from adapters.http.session import HttpOptions, ProviderHttp

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def graph_auth(conn: GraphConnection, *, on_token: TokenCallback | None = None,
               clock: Callable[[], datetime] = utc_now) -> ClientCredentialsAuth:
    """The client-credentials flow for this app registration."""
    return ClientCredentialsAuth(
        token_url=conn.resolved_token_url(),
        provider=PROVIDER,
        client_id=conn.client_id,
        client_secret=conn.client_secret.get_secret_value(),
        scope=GRAPH_SCOPE,
        on_token=on_token,
        clock=clock,
    )


def graph_http(
    conn: GraphConnection,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_token: TokenCallback | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    policy: RetryPolicy | None = None,
) -> ProviderHttp:
    """A ``ProviderHttp`` for Graph; ``transport`` lets tests serve recorded responses."""
    client = httpx.AsyncClient(
        auth=graph_auth(conn, on_token=on_token, clock=clock),
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
