"""``refresh_credential``: one token refresh at a time per credential, across the whole app.

The sequence (providers.md §3.3's mitigations, in order):

1. Read the stored credential; if it no longer needs a refresh (someone else already rotated the
   token the caller holds), answer ``already_fresh`` without touching the provider.
2. Take the credential's lease (``credentials.lease``), waiting with jittered backoff; while
   waiting keep re-reading, so waiters leave as soon as the holder has persisted new tokens.
3. Holding the lease, **re-read** metadata and secret: the previous holder may have refreshed.
4. Call the token endpoint once (``TokenAuth.fetch_token``).
5. Fence the lease, then persist the new access *and* refresh token to the secret store and the
   metadata with compare-and-swap on its ``version`` (N -> N+1), before anyone uses them.
6. Release the lease.

Outcomes: success -> new expiry, ``credential.refreshed`` audit. ``invalid_grant`` (or another
rejected client credential) -> re-read once (a concurrent rotation is not a revocation), then the
credential and the integration become ``needs_reauth`` with a reason and an alert. Transient
failures -> ``transient_failure``; the stored tokens stay untouched, so the credential keeps
working until it truly expires, and the caller retries later (the token refresher backs off on a
durable timer). Nothing here logs a secret.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from adapters.http.credentials import merge_token
from adapters.http.oauth import OAuthToken
from core import errors
from core.models import AuditOutcome, CredentialMetadata, CredentialStatus, IntegrationState
from credentials.events import audit, raise_reauth_alert, set_integration_state
from credentials.lease import Lease, LeaseLost
from credentials.models import CredentialRef, RefreshOutcome, RefreshResult
from credentials.tokens import parse_time, request_token
from credentials.vault import RENEWABLE_TYPES, Clock, CredentialStores, read_secret, utc_now, write_secret
from stores.errors import StaleETag

log = logging.getLogger("castiel.credentials")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RefreshPolicy:
    """How long to wait for the lease, how early a token counts as expired, the token timeout."""

    lease_wait_seconds: float = 90.0
    skew_seconds: float = 60.0
    token_timeout_seconds: float = 30.0


def needs_refresh(credential: dict[str, Any], stale_access_token: str | None, due_before: datetime) -> bool:
    """Whether the stored credential still needs a refresh: no access token, the very token the
    caller saw rejected, or one expiring before ``due_before``."""
    access = credential.get("accessToken")
    if not access:
        return True
    if stale_access_token is not None and hmac.compare_digest(str(access), stale_access_token):
        return True
    expires = parse_time(credential.get("expiresAt"))
    return expires is not None and expires <= due_before


def _same_grant(used: dict[str, Any], stored: dict[str, Any]) -> bool:
    return used.get("refreshToken") == stored.get("refreshToken") and used.get("accessToken") == stored.get(
        "accessToken")


class CredentialRefresher:
    """Refreshes stored credentials under the per-credential lease (see the module docstring)."""

    def __init__(self, stores: CredentialStores, policy: RefreshPolicy | None = None, *, clock: Clock = utc_now,
                 transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self._stores = stores
        self._policy = policy or RefreshPolicy()
        self._clock = clock
        self._transport = transport
        self._sleep = sleep

    async def refresh(self, ref: CredentialRef, *, stale_access_token: str | None = None,
                      due_before: datetime | None = None, reason: str = "scheduled") -> RefreshOutcome:
        """Make the stored credential usable past ``due_before`` (default: now + skew)."""
        due = due_before or self._clock() + timedelta(seconds=self._policy.skew_seconds)
        meta = self._stores.metas.get(ref.tenant_id, ref.integration_id)
        if meta is None or meta.type not in RENEWABLE_TYPES:
            return self._outcome(ref, RefreshResult.SKIPPED, message="no renewable credential")
        if meta.status == CredentialStatus.NEEDS_REAUTH:
            return self._outcome(ref, RefreshResult.NEEDS_REAUTH, version=meta.version,
                                 error_code=errors.ErrorCode.INVALID_GRANT, message="awaiting re-authorization")
        credential = read_secret(self._stores.secrets, ref.tenant_id, ref.integration_id)
        if credential is None:
            return self._outcome(ref, RefreshResult.SKIPPED, message="no stored secret")
        if not needs_refresh(credential, stale_access_token, due):
            return self._fresh(ref, credential, meta)
        acquired = await self._acquire(ref, stale_access_token, due, meta.version)
        if isinstance(acquired, RefreshOutcome):
            return acquired
        held = [acquired]
        try:
            return await self._refresh_held(ref, held, stale_access_token, due, reason)
        finally:
            self._stores.leases.release(held[-1])

    async def _acquire(self, ref: CredentialRef, stale: str | None, due: datetime, seen_version: int
                       ) -> Lease | RefreshOutcome:
        def shortcut() -> RefreshOutcome | None:
            # Poll the cheap metadata; read the secret (a Key Vault call in Azure) only once its
            # version shows that someone committed new tokens.
            meta = self._stores.metas.get(ref.tenant_id, ref.integration_id)
            if meta is None or meta.version == seen_version:
                return None
            credential = read_secret(self._stores.secrets, ref.tenant_id, ref.integration_id)
            if credential is not None and not needs_refresh(credential, stale, due):
                return self._fresh(ref, credential, meta)
            return None

        lease = await self._wait_for_lease(ref, shortcut)
        if lease is None:
            return self._outcome(ref, RefreshResult.TRANSIENT_FAILURE, error_code=errors.ErrorCode.TRANSIENT_ERROR,
                                 message="another refresh held the credential too long")
        return lease

    async def _wait_for_lease(self, ref: CredentialRef, shortcut: Callable[[], RefreshOutcome | None]
                              ) -> Lease | RefreshOutcome | None:
        """The lease; or whatever ``shortcut`` answers while we wait; None after the wait limit."""
        deadline = time.monotonic() + self._policy.lease_wait_seconds
        delay = 0.005
        while True:
            lease = self._stores.leases.try_acquire(ref.tenant_id, ref.integration_id)
            if lease is not None:
                return lease
            early = shortcut()
            if early is not None:
                return early
            if time.monotonic() >= deadline:
                return None
            await self._sleep(delay * (0.5 + random.random()))  # jitter: waiters do not poll in lockstep
            delay = min(delay * 1.5, 0.2)

    async def store_token(self, ref: CredentialRef, token: OAuthToken, reason: str = "sync"
                          ) -> dict[str, Any] | None:
        """Persist a token obtained outside ``refresh`` (under the lease, with the version CAS);
        the stored credential, or None when it could not be stored."""
        lease = await self._wait_for_lease(ref, lambda: None)
        if not isinstance(lease, Lease):
            return None
        try:
            meta = self._stores.metas.get(ref.tenant_id, ref.integration_id)
            credential = read_secret(self._stores.secrets, ref.tenant_id, ref.integration_id)
            if meta is None or credential is None:
                return None
            outcome = self._persist(ref, meta, credential, token, reason)
            if outcome.result != RefreshResult.REFRESHED:
                return None
            return merge_token(credential, token)
        finally:
            self._stores.leases.release(lease)

    async def _refresh_held(self, ref: CredentialRef, held: list[Lease], stale: str | None, due: datetime,
                            reason: str) -> RefreshOutcome:
        meta = self._stores.metas.get(ref.tenant_id, ref.integration_id)
        credential = read_secret(self._stores.secrets, ref.tenant_id, ref.integration_id)
        if meta is None or credential is None:
            return self._outcome(ref, RefreshResult.SKIPPED, message="credential was removed")
        if meta.status == CredentialStatus.NEEDS_REAUTH:
            return self._outcome(ref, RefreshResult.NEEDS_REAUTH, version=meta.version,
                                 error_code=errors.ErrorCode.INVALID_GRANT, message="awaiting re-authorization")
        if not needs_refresh(credential, stale, due):
            return self._fresh(ref, credential, meta)  # the previous holder refreshed it
        try:
            token = await request_token(self._stores, ref, credential, clock=self._clock,
                                        transport=self._transport, timeout=self._policy.token_timeout_seconds)
        except errors.SyncError as exc:
            return self._failed(ref, meta, credential, exc, reason)
        try:
            held.append(self._stores.leases.fence(held[-1]))
        except LeaseLost:
            # The lease ran out during the token call. The version CAS below still decides: it
            # only writes if nobody committed a newer credential meanwhile.
            log.warning("credential lease lost during refresh tenant=%s integration=%s",
                        ref.tenant_id, ref.integration_id)
        return self._persist(ref, meta, credential, token, reason)

    def _persist(self, ref: CredentialRef, meta: CredentialMetadata, credential: dict[str, Any],
                 token: OAuthToken, reason: str) -> RefreshOutcome:
        current = self._stores.metas.get(ref.tenant_id, ref.integration_id)
        if current is None or current.version != meta.version:
            return self._outcome(ref, RefreshResult.TRANSIENT_FAILURE, error_code=errors.ErrorCode.CONFLICT,
                                 message="the credential changed during the refresh")
        now = self._clock()
        write_secret(self._stores.secrets, ref.tenant_id, ref.integration_id, merge_token(credential, token))
        updated = meta.model_copy(update={"expires_at": token.expires_at, "last_refreshed_at": now,
                                          "status": CredentialStatus.ACTIVE, "etag": None})
        try:
            saved = self._stores.metas.put(ref.tenant_id, ref.integration_id, updated, meta.version)
        except StaleETag:
            return self._outcome(ref, RefreshResult.TRANSIENT_FAILURE, error_code=errors.ErrorCode.CONFLICT,
                                 message="the credential changed during the refresh")
        audit(self._stores, ref.tenant_id, ref.integration_id, "credential.refreshed", now, reason=reason,
              version=saved.version, expires_at=token.expires_at.isoformat() if token.expires_at else None)
        return self._outcome(ref, RefreshResult.REFRESHED, expires_at=token.expires_at, version=saved.version)

    def _failed(self, ref: CredentialRef, meta: CredentialMetadata, used: dict[str, Any], exc: errors.SyncError,
                reason: str) -> RefreshOutcome:
        now = self._clock()
        if not isinstance(exc, errors.InvalidCredentials):
            audit(self._stores, ref.tenant_id, ref.integration_id, "credential.refresh_failed", now,
                  outcome=AuditOutcome.FAILURE, reason=reason, error_code=exc.code.value, retryable=True)
            log.warning("credential refresh failed, will retry tenant=%s integration=%s code=%s",
                        ref.tenant_id, ref.integration_id, exc.code.value)
            return self._outcome(ref, RefreshResult.TRANSIENT_FAILURE, error_code=exc.code,
                                 message="token endpoint unavailable; the stored token stays in use")
        stored = read_secret(self._stores.secrets, ref.tenant_id, ref.integration_id)
        if stored is not None and not _same_grant(used, stored):
            return self._fresh(ref, stored, self._stores.metas.get(ref.tenant_id, ref.integration_id))
        return self._mark_needs_reauth(ref, meta, exc, reason, now)

    def _mark_needs_reauth(self, ref: CredentialRef, meta: CredentialMetadata, exc: errors.SyncError, reason: str,
                           now: datetime) -> RefreshOutcome:
        code = exc.code.value
        why = f"the provider rejected the stored credential ({code}); re-authorize the integration"
        # The integration first: if this fails, the credential stays active and the next attempt
        # meets the same rejection and tries again, instead of leaving a half-marked pair.
        set_integration_state(self._stores, ref.tenant_id, ref.integration_id, IntegrationState.NEEDS_REAUTH, why)
        try:
            saved = self._stores.metas.put(ref.tenant_id, ref.integration_id, meta.model_copy(
                update={"status": CredentialStatus.NEEDS_REAUTH, "etag": None}), meta.version)
        except StaleETag:  # re-supplied meanwhile: the new credential deserves its own try
            return self._outcome(ref, RefreshResult.TRANSIENT_FAILURE, error_code=errors.ErrorCode.CONFLICT,
                                 message="the credential changed during the refresh")
        audit(self._stores, ref.tenant_id, ref.integration_id, "credential.refresh_failed", now,
              outcome=AuditOutcome.FAILURE, reason=reason, error_code=code, retryable=False)
        raise_reauth_alert(self._stores, ref.tenant_id, ref.integration_id, now, code, why)
        return self._outcome(ref, RefreshResult.NEEDS_REAUTH, version=saved.version, error_code=exc.code,
                             message=why)

    def _fresh(self, ref: CredentialRef, credential: dict[str, Any], meta: CredentialMetadata | None
               ) -> RefreshOutcome:
        return self._outcome(ref, RefreshResult.ALREADY_FRESH, expires_at=parse_time(credential.get("expiresAt")),
                             version=meta.version if meta else None)

    @staticmethod
    def _outcome(ref: CredentialRef, result: RefreshResult, **fields: Any) -> RefreshOutcome:
        return RefreshOutcome(tenant_id=ref.tenant_id, integration_id=ref.integration_id, result=result, **fields)
