"""The credential service: what the HTTP routes, the sync activities and the token refresher call.

``save`` splits a credential into its secret part (secret store) and its metadata (record store),
under the same per-credential lease as refreshes, so a user re-supplying credentials never races
a refresh that would overwrite them. Saving also lifts a ``needs_reauth`` integration back to
``active``. ``metadata`` is what ``GET .../credentials`` returns; ``open`` is the sync
activities' hook (``credentials.session``).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from core import errors
from core.models import CredentialMetadata, CredentialStatus, IntegrationState
from core.models.credentials import Credential, secret_fields
from credentials.events import audit, set_integration_state
from credentials.lease import Lease
from credentials.models import CredentialRef, RefreshOutcome
from credentials.refresh import CredentialRefresher
from credentials.session import CredentialSession
from credentials.vault import RENEWABLE_TYPES, Clock, CredentialStores, read_secret, utc_now, write_secret
from stores.secrets import credential_secret_name

PUBLIC_FIELDS: set[str] = {"type", "expires_at", "status", "last_refreshed_at"}


class CredentialService:
    """Save, describe and open stored credentials; refresh them through ``refresher``."""

    def __init__(self, stores: CredentialStores, refresher: CredentialRefresher, *, lease_wait_seconds: float,
                 clock: Clock = utc_now) -> None:
        self.stores = stores
        self.refresher = refresher
        self._lease_wait = lease_wait_seconds
        self._clock = clock

    def save(self, tenant_id: str, integration_id: str, credential: Credential, *, actor: str = "api"
             ) -> CredentialMetadata:
        """Store (or replace) the integration's credential; returns its metadata (no secrets)."""
        lease = self._wait_for_lease(tenant_id, integration_id)
        try:
            now = self._clock()
            write_secret(self.stores.secrets, tenant_id, integration_id, secret_fields(credential))
            meta = CredentialMetadata.for_credential(credential, status=CredentialStatus.ACTIVE,
                                                     last_refreshed_at=None)
            saved = self.stores.metas.put(tenant_id, integration_id, meta, None)
        finally:
            self.stores.leases.release(lease)
        resumed = set_integration_state(self.stores, tenant_id, integration_id, IntegrationState.ACTIVE, None,
                                        only_from=IntegrationState.NEEDS_REAUTH)
        audit(self.stores, tenant_id, integration_id, "credential.saved", now, actor=actor,
              type=saved.type.value, version=saved.version, resumed=resumed or None)
        return saved

    async def asave(self, tenant_id: str, integration_id: str, credential: Credential, *, actor: str = "api"
                    ) -> CredentialMetadata:
        """``save`` off the event loop (it may wait for a refresh in progress to finish)."""
        return await asyncio.to_thread(self.save, tenant_id, integration_id, credential, actor=actor)

    def _wait_for_lease(self, tenant_id: str, integration_id: str) -> Lease:
        deadline = time.monotonic() + self._lease_wait
        delay = 0.005
        while True:
            lease = self.stores.leases.try_acquire(tenant_id, integration_id)
            if lease is not None:
                return lease
            if time.monotonic() >= deadline:
                raise errors.ServiceUnavailable("the credential is being refreshed; try again")
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def metadata(self, tenant_id: str, integration_id: str) -> CredentialMetadata | None:
        """The stored metadata (type, expiresAt, status, lastRefreshedAt, version), or None."""
        return self.stores.metas.get(tenant_id, integration_id)

    def describe(self, tenant_id: str, integration_id: str) -> dict[str, Any] | None:
        """The body of ``GET .../credentials`` (api.md): type, expiresAt, status, lastRefreshedAt."""
        meta = self.metadata(tenant_id, integration_id)
        if meta is None:
            return None
        return meta.model_dump(mode="json", by_alias=True, include=PUBLIC_FIELDS)

    def delete(self, tenant_id: str, integration_id: str) -> bool:
        """Remove the secret and the metadata (an integration being deleted)."""
        removed = self.stores.secrets.delete(credential_secret_name(tenant_id, integration_id))
        return self.stores.metas.delete(tenant_id, integration_id) or removed

    def open(self, tenant_id: str, integration_id: str) -> CredentialSession:
        """The hook for sync activities: the stored credential and its ``on_token``/renewer.

        Raises ``InvalidGrant`` when the integration awaits re-authorization and
        ``AuthenticationFailed`` when no credential is stored.
        """
        meta = self.stores.metas.get(tenant_id, integration_id)
        if meta is not None and meta.status == CredentialStatus.NEEDS_REAUTH:
            raise errors.InvalidGrant("the integration needs re-authorization")
        credential = read_secret(self.stores.secrets, tenant_id, integration_id)
        if meta is None or credential is None:
            raise errors.AuthenticationFailed("no credential stored for this integration")
        ref = CredentialRef(tenant_id=tenant_id, integration_id=integration_id)
        return CredentialSession(ref, credential, self.stores, self.refresher, self._clock)

    async def refresh_credential(self, tenant_id: str, integration_id: str, *, due_before: datetime | None = None,
                                 reason: str = "scheduled") -> RefreshOutcome:
        """Refresh if the stored token expires before ``due_before`` (see ``CredentialRefresher``)."""
        ref = CredentialRef(tenant_id=tenant_id, integration_id=integration_id)
        return await self.refresher.refresh(ref, due_before=due_before, reason=reason)

    def expiring(self, before: datetime, limit: int) -> list[CredentialMetadata]:
        """Active renewable credentials of every tenant expiring at or before ``before``, soonest first."""
        found = self.stores.metas.list_expiring(before, limit)
        return [m for m in found if m.type in RENEWABLE_TYPES and m.tenant_id and m.integration_id]
