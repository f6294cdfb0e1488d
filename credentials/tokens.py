"""Calling a provider's token endpoint for a stored credential, and reading token timestamps."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from adapters.http.credentials import AuthHints, auth_for
from adapters.http.oauth import OAuthToken, TokenAuth
from adapters.registry import PROVIDER_PACKAGES
from core import errors
from core.models.base import UtcDatetime
from credentials.models import CredentialRef
from credentials.vault import Clock, CredentialStores

_UTC: TypeAdapter[UtcDatetime] = TypeAdapter(UtcDatetime)


def parse_time(value: Any) -> datetime | None:
    """An ISO timestamp from a stored credential as an aware UTC datetime (None if absent or bad)."""
    if value is None or value == "":
        return None
    try:
        return _UTC.validate_python(value)
    except ValidationError:
        return None


def token_from_credential(credential: dict[str, Any]) -> OAuthToken:
    """The OAuth token held in a stored credential dict."""
    return OAuthToken(access_token=str(credential.get("accessToken") or ""),
                      refresh_token=credential.get("refreshToken"),
                      expires_at=parse_time(credential.get("expiresAt")))


def _hints(provider: str | None, connection: dict[str, Any]) -> AuthHints:
    # The provider's own defaults (Dataverse scope, Zoom grant type...), as build_adapter applies them.
    package = PROVIDER_PACKAGES.get(provider or "")
    if package is None:
        return AuthHints()
    hints_for = getattr(importlib.import_module(package), "auth_hints", None)
    return hints_for(connection) if callable(hints_for) else AuthHints()


async def request_token(stores: CredentialStores, ref: CredentialRef, credential: dict[str, Any], *,
                        clock: Clock, transport: httpx.AsyncBaseTransport | None, timeout: float) -> OAuthToken:
    """One call to the token endpoint for ``credential``; raises ``core.errors.SyncError`` subclasses."""
    integration = stores.integrations.get(ref.tenant_id, ref.integration_id)
    provider = integration.provider.value if integration is not None else None
    connection = integration.connection if integration is not None else {}
    auth = auth_for(credential, provider or "unknown", hints=_hints(provider, connection), clock=clock)
    if not isinstance(auth, TokenAuth) or not auth.can_renew():
        raise errors.ConfigError("the stored credential cannot be renewed", provider=provider)
    # A client per refresh: refreshes are rare, and callers run on different threads and event loops.
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
        return await auth.fetch_token(client)
