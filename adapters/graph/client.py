"""Graph auth hints (``ClockedAdapter.from_client`` makes the ``ProviderHttp`` with Graph's classifier).

Auth is the credential's flow, built by ``adapters.registry``: client credentials against the
tenant's Entra v2 endpoint with ``scope=https://graph.microsoft.com/.default``
(learn.microsoft.com/graph/auth-v2-service). The flow renews the token before expiry and once
on a 401, then resends.
"""

from __future__ import annotations

from typing import Any

from adapters.graph.spec import GRAPH_SCOPE, GraphConnection
from adapters.http.credentials import AuthHints


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Graph's defaults for the credential: the ``.default`` scope and the tenant's token URL."""
    return AuthHints(token_url=GraphConnection.model_validate(connection).token_url(), scope=GRAPH_SCOPE)
