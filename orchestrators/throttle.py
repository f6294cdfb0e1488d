"""Orchestrator-side use of the rate-limit budgets: ask, then wait on durable timers, never sleep.

    check = yield from acquire_permits(context, PermitRequest(tenant_id=..., integration_id=...,
                                                              operation="fetch"))
    if not check.allowed:            # only a risky operation (delete) while throttled
        ...                          # keep it queued with check.reason visible

The tenant budget (``tenant:*``, the seeds' 5,000/min) is asked first and the integration's budget
second with ``notBefore`` = the tenant slot, so the request's slot satisfies both. Unused tenant
permits are handed back with a signal (no extra round trip). Everything here is deterministic:
the clock is ``context.current_utc_datetime`` and the only waits are ``create_timer``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any

import azure.durable_functions as df
from pydantic import Field, PositiveInt

from core.models.base import CamelModel
from core.ratelimit import (
    AcquireRequest,
    BudgetCheck,
    BudgetConfig,
    LimitObservation,
    ObserveRequest,
    ReleaseRequest,
    Risk,
    integration_budget_key,
    tenant_budget_key,
)
from entities.rate_limit import ENTITY_NAME


class PermitRequest(CamelModel):
    """What an orchestration asks for before a provider call (or a batch of them)."""

    tenant_id: str
    integration_id: str
    operation: str = Field(min_length=1)
    permits: PositiveInt = 1
    min_permits: PositiveInt | None = None
    risk: Risk | None = None
    use_tenant_budget: bool = True


def integration_entity(tenant_id: str, integration_id: str) -> df.EntityId:
    """The budget entity every orchestration of this integration shares."""
    return df.EntityId(ENTITY_NAME, integration_budget_key(tenant_id, integration_id))


def tenant_entity(tenant_id: str) -> df.EntityId:
    """The tenant-wide budget entity."""
    return df.EntityId(ENTITY_NAME, tenant_budget_key(tenant_id))


def _ask(
    context: df.DurableOrchestrationContext,
    entity: df.EntityId,
    request: PermitRequest,
    permits: int,
    not_before: datetime | None,
) -> Generator[Any, Any, BudgetCheck]:
    body = AcquireRequest(
        operation=request.operation,
        permits=permits,
        min_permits=min(request.min_permits or permits, permits),
        now=context.current_utc_datetime,
        risk=request.risk,
        not_before=not_before,
    )
    answer = yield context.call_entity(entity, "acquire", body.to_wire(), expected_type=dict)
    return BudgetCheck.model_validate(answer)


def _give_back(
    context: df.DurableOrchestrationContext, entity: df.EntityId, operation: str, permits: int, slot: datetime
) -> None:
    body = ReleaseRequest(operation=operation, permits=permits, slot=slot, now=context.current_utc_datetime)
    context.signal_entity(entity, "release", body.to_wire())


def acquire_permits(
    context: df.DurableOrchestrationContext, request: PermitRequest
) -> Generator[Any, Any, BudgetCheck]:
    """Return once permits are usable (``allowed``) or the operation was rejected (not ``allowed``).

    Queued answers are waited out on a durable timer and asked again; reserved slots are waited
    out and used without asking again.
    """
    integration = integration_entity(request.tenant_id, request.integration_id)
    tenant = tenant_entity(request.tenant_id)
    while True:
        permits, not_before, tenant_check = request.permits, None, None
        if request.use_tenant_budget:
            tenant_check = yield from _ask(context, tenant, request, permits, None)
            if not tenant_check.allowed:
                if not tenant_check.queued:
                    return tenant_check
                yield context.create_timer(tenant_check.reset_at)
                continue
            permits, not_before = tenant_check.granted, tenant_check.reset_at
        check = yield from _ask(context, integration, request, permits, not_before)
        if tenant_check is not None and check.granted < tenant_check.granted:
            unused = tenant_check.granted - check.granted
            _give_back(context, tenant, request.operation, unused, tenant_check.reset_at)
        if check.allowed:
            if check.reset_at > context.current_utc_datetime:
                yield context.create_timer(check.reset_at)
            return check
        if not check.queued:
            return check
        yield context.create_timer(check.reset_at)


def configure_budget(
    context: df.DurableOrchestrationContext, tenant_id: str, integration_id: str, config: BudgetConfig
) -> Generator[Any, Any, dict[str, Any]]:
    """Apply the integration's provider and ``rateLimits`` (call once when a sync starts)."""
    entity = integration_entity(tenant_id, integration_id)
    state = yield context.call_entity(entity, "configure", config.to_wire(), expected_type=dict)
    return dict(state)


def report_limits(
    context: df.DurableOrchestrationContext, tenant_id: str, integration_id: str, snapshot: dict[str, Any]
) -> None:
    """Signal a response's rate-limit signals to the integration's budget (fire and forget).

    ``snapshot`` is an adapter ``LimitSnapshot`` dump; add ``limited=True`` for a 429/403 limit error.
    """
    observation = LimitObservation.model_validate(snapshot)
    body = ObserveRequest(now=context.current_utc_datetime, snapshot=observation)
    context.signal_entity(integration_entity(tenant_id, integration_id), "observe", body.to_wire())


def report_rate_limited(
    context: df.DurableOrchestrationContext, tenant_id: str, integration_id: str, retry_after: float | None
) -> None:
    """Tell the budget a call failed with a limit error (``core.errors.RateLimited``): it blocks
    until ``retry_after`` (or its default back-off) and slows down."""
    report_limits(context, tenant_id, integration_id, {"limited": True, "retry_after": retry_after})
