"""What a parsed delivery turns into: record-level ``WebhookEvent``s and provider ``Signal``s.

``WebhookEvent`` is the seeds' message shape (seed 000, "Webhook Event Message"), camelCase on the
wire. It lives here until ``core/models`` publishes its own; then this module re-exports that one.
A ``Signal`` is what is not a record change: Drive's "something changed, call changes.list",
Graph lifecycle events, Salesforce gap/overflow events. The orchestration decides what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class WebhookEvent(BaseModel):
    """One record-level change announced by a provider."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    integration_id: str
    tenant_id: str
    event_type: str
    entity_type: str
    entity_id: str
    operation: Operation
    data: dict[str, Any]
    timestamp: str
    """ISO 8601, UTC: when the provider says the change happened, else when it was received."""


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
        data: dict[str, Any], timestamp: str | None = None,
    ) -> WebhookEvent:
        """A ``WebhookEvent`` for this integration; ``timestamp`` defaults to the receipt time."""
        return WebhookEvent(
            integration_id=self.integration_id, tenant_id=self.tenant_id, event_type=event_type,
            entity_type=entity_type, entity_id=entity_id, operation=operation, data=data,
            timestamp=timestamp or iso(self.received_at),
        )

    def signal(self, kind: SignalKind, **detail: Any) -> Signal:
        return Signal(kind, self.integration_id, self.tenant_id, detail)


@dataclass(frozen=True, slots=True)
class ParsedDelivery:
    """Everything one delivery carried (one delivery may carry many events)."""

    events: tuple[WebhookEvent, ...] = ()
    signals: tuple[Signal, ...] = ()


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
