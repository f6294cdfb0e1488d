"""Drive HTTP: the shared ``ProviderHttp`` with Drive's classifier and limit parser, and auth hints.

Auth is the credential's JWT bearer flow, built by ``adapters.registry``
(developers.google.com/identity/protocols/oauth2/service-account): an RS256 assertion with
``iss`` = the service account email, ``scope``, ``aud`` = the token URI, ``iat``/``exp``, and ``sub``
for domain-wide delegation, exchanged with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``.
There is no refresh token: the flow signs a new assertion before expiry and once on a 401.
"""

from __future__ import annotations

from typing import Any

import httpx

from adapters.gdrive.errors import PROVIDER, classify
from adapters.gdrive.spec import DRIVE_SCOPE, GOOGLE_TOKEN_URL
from adapters.http.credentials import AuthHints
from adapters.http.limits import LIMIT_PARSERS
from adapters.http.session import HttpOptions, ProviderHttp


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Google's defaults for a service-account credential: the token URI as audience, the Drive scope."""
    return AuthHints(token_url=GOOGLE_TOKEN_URL, audience=GOOGLE_TOKEN_URL, scope=DRIVE_SCOPE)


def drive_http(client: httpx.AsyncClient, options: HttpOptions | None = None) -> ProviderHttp:
    """Wrap the authenticated client with Drive's error classification and limit parsing."""
    options = options or HttpOptions()
    clock = options.clock
    return ProviderHttp(
        client,
        provider=PROVIDER,
        classify=lambda response: classify(response, clock()),
        parse_limits=LIMIT_PARSERS[PROVIDER],
        options=options,
    )
