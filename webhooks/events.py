"""What a parsed delivery turns into: record-level ``WebhookEvent``s and provider ``Signal``s.

``WebhookEvent`` is the seeds' message shape (seed 000), defined in ``core.models``; parsers build
it through ``ParseContext.event``. A ``Signal`` is what is not a record change: Drive's "something
changed, call changes.list", Graph lifecycle events, Salesforce gap/overflow events. The
orchestration decides what to do with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from core.models import WebhookEvent, WebhookOperation

Operation = WebhookOperation
"""create | update | delete (re-exported from ``core.models``)."""

class SignalKind(StrEnum):
    CHANGES_PENDING = "changes_pending"
    """The provider says something changed but not what: run an incremental sync (Drive channels)."""
    REAUTHORIZE = "reauthorize"
    """Graph ``reauthorizationRequired``: reauthorize or renew the subscription."""
    SUBSCRIPTION_REMOVED = "subscription_removed"
    """Graph ``subscriptionRemoved``: recreate the subscription, then resync with delta."""
    RESYNC = "resync"
    """Notifications were lost (Graph ``missed``, Salesforce gap/overflow events): resync."""


@dataclass(frozen=True, slots=True)
class Signal:
    """A non-record message for the integration's orchestration."""

    kind: SignalKind
    integration_id: str
    tenant_id: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParseContext:
    """Who the delivery belongs to (from the registration) and when it arrived."""

    integration_id: str
    tenant_id: str
    received_at: datetime

    def event(
        self, event_type: str, entity_type: str, entity_id: str, operation: Operation,
        data: dict[str, Any], timestamp: str | None = None, event_id: str | None = None,
    ) -> WebhookEvent:
        """A ``WebhookEvent`` for this integration. ``timestamp`` (ISO 8601) falls back to the
        receipt time when absent or unreadable; ``event_id`` is the provider's per-event id, if any
        (the registry fills in the delivery's id otherwise). Raises ``pydantic.ValidationError`` on
        empty or oversized fields, which the registry reports as ``Malformed``."""
        return WebhookEvent(
            integration_id=self.integration_id, tenant_id=self.tenant_id, event_type=event_type,
            entity_type=entity_type, entity_id=entity_id, operation=operation, data=data,
            timestamp=parse_moment(timestamp) or self.received_at, event_id=event_id,
        )

    def signal(self, kind: SignalKind, **detail: Any) -> Signal:
        return Signal(kind, self.integration_id, self.tenant_id, detail)


@dataclass(frozen=True, slots=True)
class ParsedDelivery:
    """Everything one delivery carried (one delivery may carry many events)."""

    events: tuple[WebhookEvent, ...] = ()
    signals: tuple[Signal, ...] = ()


def parse_moment(value: str | None) -> datetime | None:
    """An ISO 8601 string as an aware datetime (naive means UTC), or None when it is not one."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_from_unix(value: object, *, milliseconds: bool = False) -> str | None:
    """ISO 8601 from a Unix timestamp (number or digit string), or None when it is not one."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = value / 1000 if milliseconds else value
    try:
        return iso(datetime.fromtimestamp(seconds, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None


def operation_from_word(word: str) -> Operation:
    """Map a provider's change word: ``created``/``creation``/``opened``... -> CREATE;
    ``deleted``/``deletion``/``removed``... -> DELETE; anything else is an update (the record is
    re-fetched or upserted either way)."""
    word = word.lower()
    if word in {"create", "created", "creation", "new", "opened", "added", "add", "insert", "inserted"}:
        return Operation.CREATE
    if word in {"delete", "deleted", "deletion", "remove", "removed", "destroyed", "destroy", "trashed"}:
        return Operation.DELETE
    return Operation.UPDATE
