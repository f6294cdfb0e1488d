"""Typed inputs and results of the write-back orchestration and activities (ids and counts only)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.models import CamelModel, UtcDatetime
from stores.outbox import OutboxOp


class IntegrationRef(CamelModel):
    tenant_id: str
    integration_id: str


class DrainState(IntegrationRef):
    """The drainer's state, carried across ``continue_as_new``."""

    generation: int = 0
    configured: bool = False
    pushed: int = 0
    conflicts: int = 0
    failed: int = 0
    rejected: int = 0


class DrainPlan(CamelModel):
    budget: dict[str, Any] = Field(default_factory=dict)
    batch_size: int = 100
    batches_per_generation: int = 20
    max_idle_wait_seconds: float = 120.0
    error: str | None = None


class BatchInput(IntegrationRef):
    limit: int = 100


class EntryRef(CamelModel):
    shard_id: str
    revision: int
    op: OutboxOp


class NextBatch(CamelModel):
    entries: list[EntryRef] = Field(default_factory=list)
    next_due_at: UtcDatetime | None = None


class PushBatchInput(IntegrationRef):
    entries: list[EntryRef]


class PushBatchResult(CamelModel):
    pushed: int = 0
    resolved: int = 0
    conflicts: int = 0
    skipped: int = 0
    retrying: int = 0
    dead: int = 0
    limits: dict[str, Any] | None = None
    rate_limited: bool = False
    retry_after: float | None = None


class DeferInput(IntegrationRef):
    shard_id: str
    not_before: UtcDatetime
    reason: str


class RequeueInput(IntegrationRef):
    shard_id: str
