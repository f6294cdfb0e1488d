"""Graph HTTP: the shared ``ProviderHttp`` with Graph's classifier and limit parser, and auth hints.

Auth is the credential's flow, built by ``adapters.registry``: client credentials against the
tenant's Entra v2 endpoint with ``scope=https://graph.microsoft.com/.default``
(learn.microsoft.com/graph/auth-v2-service). The flow renews the token before expiry and once
on a 401, then resends.
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.graph.errors import PROVIDER, classify
from adapters.graph.spec import GRAPH_SCOPE, GraphConnection
from adapters.http.credentials import AuthHints
from adapters.http.limits import LIMIT_PARSERS
from adapters.http.session import HttpOptions, ProviderHttp


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Graph's defaults for the credential: the ``.default`` scope and the tenant's token URL."""
    return AuthHints(token_url=GraphConnection.model_validate(connection).token_url(), scope=GRAPH_SCOPE)


def graph_http(client: httpx.AsyncClient, options: HttpOptions | None = None) -> ProviderHttp:
    """Wrap the authenticated client with Graph's error classification and limit parsing."""
    options = options or HttpOptions()
    clock = options.clock
    return ProviderHttp(
        client,
        provider=PROVIDER,
        classify=lambda response: classify(response, clock()),
        parse_limits=LIMIT_PARSERS[PROVIDER],
        options=options,
    )
