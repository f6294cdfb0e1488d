"""The seeds' messages (SyncTaskMessage, WebhookEvent, RateLimitCheck) and operational records."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.models.base import CamelModel, DocumentModel, Identifier, NonEmptyStr, UtcDatetime
from core.models.enums import (
    AuditOutcome,
    DeadLetterKind,
    DeadLetterStatus,
    Priority,
    RunMode,
    RunTrigger,
    SyncDirection,
    WebhookOperation,
)


class SyncTaskMessage(CamelModel):
    """Seed 000's sync task: what the scheduler hands to a sync (here, an orchestration input)."""

    integration_id: Identifier
    tenant_id: Identifier
    connection_id: str | None = None
    sync_mode: SyncDirection = SyncDirection.PULL
    priority: Priority = Priority.NORMAL
    correlation_id: str
    enqueued_at: UtcDatetime
    task_id: str | None = None
    mode: RunMode = RunMode.INCREMENTAL
    trigger: RunTrigger = RunTrigger.SCHEDULE


class WebhookEvent(CamelModel):
    """Seed 000's webhook event, parsed from a verified delivery. ``eventId`` dedupes redeliveries."""

    integration_id: Identifier
    tenant_id: Identifier
    event_type: NonEmptyStr
    entity_type: NonEmptyStr
    entity_id: NonEmptyStr
    operation: WebhookOperation
    data: dict[str, Any] = Field(default_factory=dict)
    timestamp: UtcDatetime
    event_id: str | None = None


class RateLimitCheck(CamelModel):
    """Seed 000's answer of a rate-limit check."""

    allowed: bool
    queued: bool = False
    remaining: int = Field(ge=0)
    reset_at: UtcDatetime
    retry_after_seconds: float = Field(default=0.0, ge=0.0)


class DeadLetter(DocumentModel):
    """Work that failed for good; ``payload`` holds references (ids, keys), never secrets."""

    id: Identifier
    tenant_id: Identifier
    integration_id: Identifier | None = None
    kind: DeadLetterKind
    payload: dict[str, Any] = Field(default_factory=dict)
    error_type: str
    error_message: str
    attempts: int = Field(default=1, ge=0)
    first_failed_at: UtcDatetime
    last_failed_at: UtcDatetime
    run_id: str | None = None
    status: DeadLetterStatus = DeadLetterStatus.PENDING


class AuditRecord(DocumentModel):
    """One audited action; ``action`` is dotted, e.g. ``credential.refreshed``, ``webhook.rejected``."""

    id: Identifier
    tenant_id: Identifier
    integration_id: Identifier | None = None
    action: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
    outcome: AuditOutcome = AuditOutcome.SUCCESS
    actor: str = "system"
    at: UtcDatetime
    correlation_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
