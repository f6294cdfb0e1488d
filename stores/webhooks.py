"""WebhookInbox: verified deliveries persisted before they are acknowledged, deduplicated on
(registration, provider event id) so a provider's redelivery is recognised and dropped."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pydantic import Field

from core.models import DocumentModel, Identifier, UtcDatetime, WebhookEvent
from stores.codec import from_stored, to_body
from stores.documents import Cond, Condition, DocumentCollection, Order, sortable_time
from stores.errors import RecordExists, RecordNotFound


class InboxItem(DocumentModel):
    """One received event; ``processedAt`` is set once the sync has taken it in."""

    tenant_id: Identifier
    registration_id: Identifier
    event_id: str = Field(min_length=1, max_length=1000)
    event: WebhookEvent
    received_at: UtcDatetime
    processed_at: UtcDatetime | None = None


def inbox_id(registration_id: str, event_id: str) -> str:
    # Provider event ids may hold characters Cosmos forbids in ids ('/', '#', '?').
    digest = hashlib.sha256(f"{registration_id}\n{event_id}".encode()).hexdigest()
    return f"wh-{digest[:40]}"


class WebhookInbox(Protocol):
    def insert_if_absent(self, item: InboxItem) -> bool:
        """Persist the event; False when this (registration, event id) was already received."""
        ...

    def list_pending(self, tenant_id: str, registration_id: str | None = None, limit: int = 100) -> list[InboxItem]:
        """Unprocessed events, oldest first."""
        ...

    def mark_processed(self, tenant_id: str, registration_id: str, event_id: str, now: datetime) -> None:
        """``RecordNotFound`` when there is no such event in this tenant."""
        ...

    def mark_listed_processed(self, items: Sequence[InboxItem], now: datetime) -> None:
        """Mark events as listed by ``list_pending`` processed, without reading them again.

        An event's body never changes after it is received except for ``processedAt``, so the listed
        copy is the stored one; ``RecordNotFound`` when one is gone."""
        ...

    def purge_processed(self, tenant_id: str, received_before: datetime, limit: int) -> int:
        """Delete up to ``limit`` processed events received before ``received_before``, oldest first; how
        many. A redelivery of a purged event is received as new: keep them longer than providers retry."""
        ...


class DocumentWebhookInbox:
    """``WebhookInbox`` over any ``DocumentCollection``."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._docs = collection

    @staticmethod
    def _body(item: InboxItem) -> dict[str, object]:
        return to_body(item, received=sortable_time(item.received_at), pending=item.processed_at is None)

    def insert_if_absent(self, item: InboxItem) -> bool:
        try:
            self._docs.create(item.tenant_id, inbox_id(item.registration_id, item.event_id), self._body(item))
        except RecordExists:
            return False
        return True

    def list_pending(self, tenant_id: str, registration_id: str | None = None, limit: int = 100) -> list[InboxItem]:
        where: list[Condition] = [Cond("ix.pending", "=", True)]
        if registration_id is not None:
            where.append(Cond("registrationId", "=", registration_id))
        found = self._docs.query(tenant_id, where, [Order("ix.received")], limit)
        return [from_stored(InboxItem, s) for s in found]

    def mark_processed(self, tenant_id: str, registration_id: str, event_id: str, now: datetime) -> None:
        doc_id = inbox_id(registration_id, event_id)
        stored = self._docs.get(tenant_id, doc_id)
        if stored is None:
            raise RecordNotFound(f"webhook event {event_id!r} not found")
        item = from_stored(InboxItem, stored).model_copy(update={"processed_at": now})
        self._docs.replace(tenant_id, doc_id, self._body(item), if_match=stored.etag)

    def purge_processed(self, tenant_id: str, received_before: datetime, limit: int) -> int:
        where: list[Condition] = [Cond("ix.pending", "=", False),
                                  Cond("ix.received", "<", sortable_time(received_before))]
        found = self._docs.query(tenant_id, where, [Order("ix.received")], limit)
        return sum(self._docs.delete(tenant_id, stored.body["id"]) for stored in found)

    def mark_listed_processed(self, items: Sequence[InboxItem], now: datetime) -> None:
        for item in items:
            done = item.model_copy(update={"processed_at": now})
            self._docs.replace(item.tenant_id, inbox_id(item.registration_id, item.event_id), self._body(done),
                               if_match=None)
