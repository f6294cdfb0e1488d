"""Drive auth hints (``ClockedAdapter.from_client`` makes the ``ProviderHttp`` with Drive's classifier).

Auth is the credential's JWT bearer flow, built by ``adapters.registry``
(developers.google.com/identity/protocols/oauth2/service-account): an RS256 assertion with
``iss`` = the service account email, ``scope``, ``aud`` = the token URI, ``iat``/``exp``, and ``sub``
for domain-wide delegation, exchanged with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``.
There is no refresh token: the flow signs a new assertion before expiry and once on a 401.
"""

from __future__ import annotations

from typing import Any

from adapters.gdrive.spec import DRIVE_SCOPE, GOOGLE_TOKEN_URL
from adapters.http.credentials import AuthHints


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Google's defaults for a service-account credential: the token URI as audience, the Drive scope."""
    return AuthHints(token_url=GOOGLE_TOKEN_URL, audience=GOOGLE_TOKEN_URL, scope=DRIVE_SCOPE)
