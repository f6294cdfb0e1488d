"""CredentialMetaStore: the non-secret metadata of each integration's credential (type,
expiry, status, version). The secret itself lives in the ``SecretStore``.

``version`` is the compare-and-swap token of a refresh: a refresher reads version N, and only
one writer can store N+1, so two refreshers never both persist a rotated token family.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.models import CredentialMetadata, CredentialStatus
from stores.codec import from_stored, to_body
from stores.documents import Cond, DocumentCollection, Order, sortable_time
from stores.errors import RecordExists, RecordNotFound, StaleETag

UNCONDITIONAL_ATTEMPTS = 5


class CredentialMetaStore(Protocol):
    def get(self, tenant_id: str, integration_id: str) -> CredentialMetadata | None: ...

    def put(
        self, tenant_id: str, integration_id: str, meta: CredentialMetadata, expected_version: int | None
    ) -> CredentialMetadata:
        """Store ``meta`` with ``version = expected_version + 1`` when the stored version is
        ``expected_version`` (``0``: must not exist; ``None``: unconditional, e.g. a user
        re-supplying credentials). ``StaleETag`` when another writer got there first."""
        ...

    def delete(self, tenant_id: str, integration_id: str) -> bool: ...

    def list_expiring(self, before: datetime, limit: int = 500) -> list[CredentialMetadata]:
        """Active credentials of every tenant expiring at or before ``before``, soonest first."""
        ...


def _body(meta: CredentialMetadata) -> dict[str, object]:
    expires = sortable_time(meta.expires_at) if meta.expires_at is not None else None
    return to_body(meta, expires=expires)


class DocumentCredentialMetaStore:
    """``CredentialMetaStore`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    def get(self, tenant_id: str, integration_id: str) -> CredentialMetadata | None:
        stored = self._docs.get(tenant_id, integration_id)
        return from_stored(CredentialMetadata, stored) if stored else None

    def put(
        self, tenant_id: str, integration_id: str, meta: CredentialMetadata, expected_version: int | None
    ) -> CredentialMetadata:
        # An unconditional put retries a lost race a few times: it means "whatever is there".
        attempts = 1 if expected_version is not None else UNCONDITIONAL_ATTEMPTS
        for attempt in range(attempts):
            try:
                return self._put_once(tenant_id, integration_id, meta, expected_version)
            except StaleETag:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _put_once(
        self, tenant_id: str, integration_id: str, meta: CredentialMetadata, expected_version: int | None
    ) -> CredentialMetadata:
        current = self._docs.get(tenant_id, integration_id)
        current_version = from_stored(CredentialMetadata, current).version if current else 0
        if expected_version is not None and expected_version != current_version:
            raise StaleETag(f"credential of {integration_id!r} is at version {current_version}")
        new = meta.model_copy(
            update={"tenant_id": tenant_id, "integration_id": integration_id, "version": current_version + 1}
        )
        try:
            if current is None:
                stored = self._docs.create(tenant_id, integration_id, _body(new))
            else:
                stored = self._docs.replace(tenant_id, integration_id, _body(new), if_match=current.etag)
        except (RecordExists, RecordNotFound) as exc:
            raise StaleETag(f"credential of {integration_id!r} changed concurrently") from exc
        return from_stored(CredentialMetadata, stored)

    def delete(self, tenant_id: str, integration_id: str) -> bool:
        return self._docs.delete(tenant_id, integration_id)

    def list_expiring(self, before: datetime, limit: int = 500) -> list[CredentialMetadata]:
        found = self._docs.query(
            None,
            [Cond("status", "=", CredentialStatus.ACTIVE.value), Cond("ix.expires", "<=", sortable_time(before))],
            [Order("ix.expires")],
            limit,
        )
        return [from_stored(CredentialMetadata, s) for s in found]
