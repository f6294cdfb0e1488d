"""Write-back activities: the drainer's plan, its next batch, pushing a batch, deferring and re-queueing.

Only ids cross the boundary; entries and shards are read from the stores here. A failed push follows
the retry policy (``core.retry.decide``): retryable errors wait in the outbox (``notBefore``, reason
visible), permanent ones (validation, not found, permission...) mark the entry ``dead`` and add a
dead letter carrying the provider's message; retrying that dead letter re-queues the entry.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.durable_functions as df

from activities.provider import open_adapter
from core.errors import RateLimited, SyncError
from core.mapping import Mapper, compile_mapping
from core.models import DeadLetter, DeadLetterKind, Integration, SyncDirection
from core.ratelimit import BudgetConfig
from core.retry import RetryPolicy, decide
from services import get_services
from stores.outbox import OutboxEntry, OutboxStatus, OutboxStore
from writeback.capture import push_mapping
from writeback.contracts import (
    BatchInput,
    DeferInput,
    DrainPlan,
    EntryRef,
    IntegrationRef,
    NextBatch,
    PushBatchInput,
    PushBatchResult,
    RequeueInput,
)
from writeback.external import write_mapper
from writeback.push import PushContext, PushStatus, push_entry
from writeback.runtime import outbox_for, writeback_settings
from writeback.shard_sync import Link, mark_failed

bp = df.Blueprint()
REQUEUE_ORCHESTRATION = "writeback_retry"


def _now() -> datetime:
    return datetime.now(UTC)


def _outbox() -> OutboxStore:
    return outbox_for(get_services().stores.shards)


@bp.activity_trigger(input_name="payload")
def writeback_plan(payload: dict[str, Any]) -> dict[str, Any]:
    """The integration's rate-limit budget and the drainer's batch settings."""
    ref = IntegrationRef.model_validate(payload)
    integration = get_services().stores.integrations.get(ref.tenant_id, ref.integration_id)
    settings = writeback_settings()
    plan = DrainPlan(batch_size=settings.batch_size, batches_per_generation=settings.batches_per_generation,
                     max_idle_wait_seconds=settings.max_idle_wait_seconds)
    if integration is None:
        plan.error = f"integration {ref.integration_id!r} not found"
    else:
        plan.budget = BudgetConfig.for_integration(integration).to_wire()
    return plan.to_wire()


@bp.activity_trigger(input_name="payload")
def writeback_next_batch(payload: dict[str, Any]) -> dict[str, Any]:
    """The next due entries in order (ids and revisions), or when the earliest waiting one is due."""
    inp = BatchInput.model_validate(payload)
    outbox = _outbox()
    entries = outbox.ready(inp.tenant_id, inp.integration_id, _now(), inp.limit)
    batch = NextBatch(entries=[EntryRef(shard_id=e.shard_id, revision=e.revision, op=e.op) for e in entries])
    if not entries:
        batch.next_due_at = outbox.next_due_at(inp.tenant_id, inp.integration_id)
    return batch.to_wire()


@bp.activity_trigger(input_name="payload")
def writeback_defer(payload: dict[str, Any]) -> bool:
    """Keep an entry queued until ``notBefore`` with the reason visible (a delete rejected while throttled)."""
    inp = DeferInput.model_validate(payload)
    return _outbox().amend(inp.tenant_id, inp.integration_id, inp.shard_id,
                           {"not_before": inp.not_before, "reason": inp.reason})


@bp.activity_trigger(input_name="payload")
def writeback_requeue(payload: dict[str, Any]) -> bool:
    """Put a dead entry back in the queue (a dead letter's retry); it pushes the shard's latest state."""
    inp = RequeueInput.model_validate(payload)
    return _outbox().amend(inp.tenant_id, inp.integration_id, inp.shard_id, {
        "status": OutboxStatus.PENDING, "attempts": 0, "not_before": None, "reason": None})


class _Batch:
    """One push batch: the shared context pieces and the tally."""

    def __init__(self, integration: Integration, outbox: OutboxStore) -> None:
        self.integration = integration
        self.outbox = outbox
        self.result = PushBatchResult()
        self._mappers: dict[str, tuple[Mapper, Mapper]] = {}
        settings = writeback_settings()
        self.policy = RetryPolicy(max_attempts=settings.retry_max_attempts,
                                  initial_delay_seconds=settings.retry_initial_delay_seconds,
                                  max_delay_seconds=settings.retry_max_delay_seconds)

    def mappers(self, shard_type_id: str) -> tuple[Mapper, Mapper] | None:
        """The read and write mappers of the mapping pushing ``shard_type_id`` (None: none does)."""
        if shard_type_id not in self._mappers:
            mapping = push_mapping(self.integration, shard_type_id)
            if mapping is None:
                return None
            provider = self.integration.provider.value
            self._mappers[shard_type_id] = (compile_mapping(mapping), write_mapper(provider, mapping))
        return self._mappers[shard_type_id]

    def count(self, status: PushStatus) -> None:
        field = {PushStatus.PUSHED: "pushed", PushStatus.RESOLVED: "resolved", PushStatus.CONFLICT: "conflicts",
                 PushStatus.SKIPPED: "skipped"}[status]
        setattr(self.result, field, getattr(self.result, field) + 1)

    def failed(self, entry: OutboxEntry, error: SyncError) -> None:
        """Retry later per the policy, or dead-letter the entry with the provider's message."""
        now = _now()
        if isinstance(error, RateLimited):
            self.result.rate_limited = True
            self.result.retry_after = max(self.result.retry_after or 0.0, error.retry_after or 0.0)
        decision = decide(error, max(entry.attempts, 1), self.policy)
        reason = f"{error.code.value}: {error.message}"
        ids = (entry.tenant_id, entry.integration_id, entry.shard_id)
        if decision.retry:
            self.outbox.amend(*ids, {"not_before": now + timedelta(seconds=decision.delay_seconds),
                                     "reason": reason})
            self.result.retrying += 1
            return
        self.outbox.amend(*ids, {"status": OutboxStatus.DEAD, "reason": reason})
        link = Link(entry.tenant_id, entry.integration_id, self.integration.provider.value, SyncDirection.PUSH)
        mark_failed(get_services().stores.shards, link, entry.shard_id)
        get_services().stores.dead_letters.add(DeadLetter(
            id=f"writeback.{entry.integration_id}.{entry.shard_id}"[:128], tenant_id=entry.tenant_id,
            integration_id=entry.integration_id, kind=DeadLetterKind.WRITE_BACK,
            payload={"orchestration": REQUEUE_ORCHESTRATION,
                     "input": RequeueInput(tenant_id=entry.tenant_id, integration_id=entry.integration_id,
                                           shard_id=entry.shard_id).to_wire(),
                     "shardId": entry.shard_id, "entity": entry.entity, "op": entry.op.value},
            error_type=error.code.value, error_message=error.message, attempts=entry.attempts,
            first_failed_at=now, last_failed_at=now,
        ))
        self.result.dead += 1


def _due(outbox: OutboxStore, inp: PushBatchInput) -> list[OutboxEntry]:
    """The batch's entries still pending (a dead or deleted one is not pushed), attempt counted."""
    entries = []
    for ref in inp.entries:
        entry = outbox.get(inp.tenant_id, inp.integration_id, ref.shard_id)
        if entry is None or entry.status != OutboxStatus.PENDING:
            continue
        # Counted before the call: a create whose attempt may have reached the provider is known as such.
        entry = entry.model_copy(update={"attempts": entry.attempts + 1})
        outbox.amend(inp.tenant_id, inp.integration_id, ref.shard_id, {"attempts": entry.attempts})
        entries.append(entry)
    return entries


@bp.activity_trigger(input_name="payload")
async def writeback_push_batch(payload: dict[str, Any]) -> dict[str, Any]:
    """Push a batch of entries (each record at most once) and settle the shards and the outbox."""
    inp = PushBatchInput.model_validate(payload)
    stores = get_services().stores
    integration = stores.integrations.get(inp.tenant_id, inp.integration_id)
    outbox = outbox_for(stores.shards)
    if integration is None:
        return PushBatchResult().to_wire()
    batch = _Batch(integration, outbox)
    entries = _due(outbox, inp)
    try:
        async with open_adapter(integration) as adapter:
            gate = asyncio.Semaphore(writeback_settings().push_concurrency)

            async def one(entry: OutboxEntry) -> None:
                async with gate:
                    mappers = batch.mappers(entry.shard_type_id)
                    if mappers is None:  # the mapping no longer pushes this type
                        outbox.ack(entry.tenant_id, entry.integration_id, entry.shard_id, entry.revision)
                        batch.count(PushStatus.SKIPPED)
                        return
                    ctx = PushContext(integration, *mappers, adapter, stores.shards, outbox, stores.audit, _now)
                    try:
                        batch.count(await push_entry(ctx, entry))
                    except SyncError as exc:
                        batch.failed(entry, exc)

            await asyncio.gather(*(one(e) for e in entries))
    except SyncError as exc:  # the adapter could not be opened (credentials): every entry waits
        for entry in entries:
            batch.failed(entry, exc)
    return batch.result.to_wire()
