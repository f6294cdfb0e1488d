"""A per-credential lease in the record store: the app-wide critical section for token refreshes.

Why a lease document and not a durable entity: the refresh must be exclusive between the token
refresher orchestration *and* sync activities that meet a 401 in the middle of a page. Activities
cannot call entities, and an entity round-trip per 401 would need an orchestration in between.
A lease document with compare-and-swap works wherever the record store is reachable: on threads
of one devhost process, in several Azure workers (Cosmos ETags), and from tests.

The lease is one document per credential in the ``credential_leases`` collection (tenant
partition, id = integration id): ``{"owner", "until"}``. Acquire is ``create`` or an ETag-guarded
``replace`` of an expired lease; ``fence`` re-confirms and extends it (CAS again) right before the
holder writes, so a holder whose lease ran out never overwrites a newer refresh; release is a
CAS that sets ``until`` in the past. A holder that crashes blocks others for at most ``ttl``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from stores.documents import DocumentCollection, sortable_time
from stores.errors import RecordExists, RecordNotFound, StaleETag

Clock = Callable[[], datetime]
LEASE_COLLECTION = "credential_leases"
_RELEASED = "1970-01-01T00:00:00.000000Z"


def utc_now() -> datetime:
    return datetime.now(UTC)


class LeaseLost(Exception):
    """The lease expired and someone else took it; the holder must not write."""


@dataclass(frozen=True)
class Lease:
    """A held lease: the ETag is the fencing token for the next CAS."""

    tenant_id: str
    integration_id: str
    owner: str
    etag: str
    until: datetime


class CredentialLeases:
    """Acquire, fence and release leases stored in ``collection`` (see the module docstring)."""

    def __init__(self, collection: DocumentCollection, *, ttl_seconds: float, clock: Clock = utc_now) -> None:
        self._docs = collection
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock

    def _body(self, owner: str, until: datetime) -> dict[str, str]:
        return {"owner": owner, "until": sortable_time(until)}

    def try_acquire(self, tenant_id: str, integration_id: str) -> Lease | None:
        """The lease if nobody holds it (or the holder's time ran out), else ``None``. Never waits."""
        now = self._clock()
        owner, until = uuid.uuid4().hex, now + self._ttl
        current = self._docs.get(tenant_id, integration_id)
        try:
            if current is None:
                stored = self._docs.create(tenant_id, integration_id, self._body(owner, until))
            elif str(current.body.get("until", _RELEASED)) > sortable_time(now):
                return None
            else:
                stored = self._docs.replace(tenant_id, integration_id, self._body(owner, until), current.etag)
        except (RecordExists, StaleETag, RecordNotFound):
            return None  # someone else won the race for it
        return Lease(tenant_id, integration_id, owner, stored.etag, until)

    def fence(self, lease: Lease) -> Lease:
        """Confirm ``lease`` is still ours and extend it; raises ``LeaseLost`` otherwise."""
        until = self._clock() + self._ttl
        try:
            stored = self._docs.replace(lease.tenant_id, lease.integration_id, self._body(lease.owner, until),
                                        lease.etag)
        except (StaleETag, RecordNotFound) as exc:
            raise LeaseLost(f"lease on {lease.integration_id} was taken over") from exc
        return Lease(lease.tenant_id, lease.integration_id, lease.owner, stored.etag, until)

    def release(self, lease: Lease) -> bool:
        """Give the lease back; False when it had already been taken over (nothing to undo)."""
        try:
            self._docs.replace(lease.tenant_id, lease.integration_id, {"owner": "", "until": _RELEASED},
                               lease.etag)
        except (StaleETag, RecordNotFound):
            return False
        return True
