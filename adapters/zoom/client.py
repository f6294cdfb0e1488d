"""Zoom's typed connection and auth hints (``ClockedAdapter.from_client`` makes the ``ProviderHttp``).

Auth is the credential's client-credentials flow, built by ``adapters.registry``, with Zoom's
grant (developers.zoom.us/docs/internal-apps/s2s-oauth/): POST https://zoom.us/oauth/token with
``grant_type=account_credentials&account_id=…`` and HTTP Basic ``client_id:client_secret``. The
token lives one hour and comes without a refresh token: the flow asks again before expiry and
once on a 401.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from adapters.http.credentials import AuthHints
from adapters.zoom.errors import PROVIDER
from adapters.zoom.spec import ZOOM_TOKEN_URL, ZoomConnection
from core.errors import ConfigError


def connection_from(connection: dict[str, Any]) -> ZoomConnection:
    """The typed connection; a missing ``accountId`` is a ConfigError naming it."""
    try:
        return ZoomConnection.model_validate(connection)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"invalid Zoom connection: {first['loc']} {first['msg']}", provider=PROVIDER) from exc


def auth_hints(connection: dict[str, Any]) -> AuthHints:
    """Zoom's Server-to-Server grant: ``account_credentials`` with the account id, Basic client auth."""
    conn = connection_from(connection)
    return AuthHints(
        token_url=ZOOM_TOKEN_URL,
        grant_type="account_credentials",
        params={"account_id": conn.account_id},
        basic_client_auth=True,
    )
