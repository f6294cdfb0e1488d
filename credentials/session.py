"""The hook sync activities use: a stored credential plus a renewer bound to the critical section.

    session = service.open(tenant_id, integration_id)
    adapter = build_adapter(provider, connection, session.credential, on_token=session.on_token)

``session.on_token`` is this object: a ``TokenCallback`` *and* a ``TokenRenewer``, so the
adapter's ``TokenAuth`` flow, on a 401 or a token about to expire, asks ``renew`` instead of calling
the token endpoint itself; ``renew`` goes through ``CredentialRefresher.refresh`` (lease, re-read,
one refresh, CAS persist) and answers with the stored token. A token a flow obtained on its own
(a flow built without this renewer) is persisted through the same lease by ``__call__``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.http.oauth import OAuthToken
from core import errors
from credentials.models import CredentialRef, RefreshResult
from credentials.refresh import CredentialRefresher
from credentials.tokens import token_from_credential
from credentials.vault import Clock, CredentialStores, read_secret


class CredentialSession:
    """One integration's credential for one adapter (see the module docstring)."""

    def __init__(self, ref: CredentialRef, credential: dict[str, Any], stores: CredentialStores,
                 refresher: CredentialRefresher, clock: Clock) -> None:
        self.ref = ref
        self.credential = credential
        self._stores = stores
        self._refresher = refresher
        self._clock = clock

    def __repr__(self) -> str:  # never the credential
        return f"CredentialSession({self.ref.tenant_id!r}, {self.ref.integration_id!r})"

    @property
    def on_token(self) -> CredentialSession:
        """What to pass as ``build_adapter(..., on_token=...)``."""
        return self

    async def renew(self, stale: OAuthToken | None) -> OAuthToken:
        """A usable token other than ``stale``, through the per-credential critical section."""
        outcome = await self._refresher.refresh(
            self.ref, stale_access_token=stale.access_token if stale and stale.access_token else None,
            reason="sync")
        if outcome.result == RefreshResult.NEEDS_REAUTH:
            raise errors.InvalidGrant(outcome.message or "the integration needs re-authorization")
        if outcome.result == RefreshResult.TRANSIENT_FAILURE:
            if stale is not None and _still_valid(stale, self._clock()):
                return stale  # keep working with the current token until it truly expires
            raise errors.ServiceUnavailable(outcome.message or "token refresh failed; retry later")
        stored = read_secret(self._stores.secrets, self.ref.tenant_id, self.ref.integration_id)
        if stored is None:
            raise errors.AuthenticationFailed("the credential was removed")
        self.credential = stored
        return token_from_credential(stored)

    async def __call__(self, token: OAuthToken) -> None:
        """Persist a token some flow obtained itself, under the lease and the version CAS."""
        persisted = await self._refresher.store_token(self.ref, token)
        if persisted is None:
            raise errors.ServiceUnavailable("a renewed token could not be persisted; not using it")
        self.credential = persisted


def _still_valid(token: OAuthToken, now: datetime) -> bool:
    return bool(token.access_token) and token.expires_at is not None and now < token.expires_at
