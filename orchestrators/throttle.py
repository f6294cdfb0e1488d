"""Orchestrator-side use of the rate-limit budgets: ask, then wait on durable timers, never sleep.

    check = yield from acquire_permits(context, PermitRequest(tenant_id=..., integration_id=...,
                                                              operation="fetch"))
    if not check.allowed:            # only a risky operation (delete) while throttled
        ...                          # keep it queued with check.reason visible

The tenant budget (``tenant:*``, the seeds' 5,000/min) is asked first and the integration's budget
second with ``notBefore`` = the tenant slot, so the request's slot satisfies both. Unused tenant
permits are handed back with a signal (no extra round trip). A caller making many requests keeps a
``TenantLease``: it takes several tenant permits in one ask and spends them over the next requests,
so most requests cost one entity round trip instead of two. Everything here is deterministic:
the clock is ``context.current_utc_datetime`` and the only waits are ``create_timer``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df
from pydantic import Field, PositiveInt

from core.models.base import CamelModel
from core.ratelimit import (
    TENANT_SLOT_HORIZON_SECONDS,
    AcquireRequest,
    BudgetCheck,
    BudgetConfig,
    LimitObservation,
    ObserveRequest,
    ReleaseRequest,
    Risk,
    integration_budget_key,
    tenant_budget_key,
    worth_reporting,
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


class TenantLease:
    """Tenant permits one orchestration took ahead for its next requests (one tenant ask per ``size``).

    A lease lives in the orchestration's local variables, so a replay rebuilds it exactly. Its permits
    count in the tenant budget at ``slot``; the tenant budget's margin covers integration slots up to
    ``TENANT_SLOT_HORIZON_SECONDS`` later, so every integration ask made with the lease passes
    ``notAfter`` = slot + horizon and a slot beyond that ends the lease. Call ``release_lease`` when
    done (before ``continue_as_new`` too) so unused permits go back at once.
    """

    def __init__(self, size: int = 1) -> None:
        self.size = size
        self.slot: datetime | None = None
        self.left = 0

    def take(self, check: BudgetCheck) -> None:
        self.slot, self.left = check.reset_at, check.granted

    def horizon(self) -> datetime | None:
        return None if self.slot is None else self.slot + timedelta(seconds=TENANT_SLOT_HORIZON_SECONDS)


def _ask(
    context: df.DurableOrchestrationContext,
    entity: df.EntityId,
    request: PermitRequest,
    permits: int,
    window: tuple[datetime | None, datetime | None] = (None, None),
) -> Generator[Any, Any, BudgetCheck]:
    body = AcquireRequest(
        operation=request.operation,
        permits=permits,
        min_permits=min(request.min_permits or permits, permits),
        now=context.current_utc_datetime,
        risk=request.risk,
        not_before=window[0],
        not_after=window[1],
    )
    answer = yield context.call_entity(entity, "acquire", body.to_wire(), expected_type=dict)
    return BudgetCheck.model_validate(answer)


def release_lease(context: df.DurableOrchestrationContext, tenant_id: str, operation: str,
                  lease: TenantLease) -> None:
    """Hand a lease's unused tenant permits back (a signal: no round trip)."""
    if lease.left > 0 and lease.slot is not None:
        body = ReleaseRequest(operation=operation, permits=lease.left, slot=lease.slot,
                              now=context.current_utc_datetime)
        context.signal_entity(tenant_entity(tenant_id), "release", body.to_wire())
    lease.slot, lease.left = None, 0


def _tenant_lease(
    context: df.DurableOrchestrationContext, request: PermitRequest, lease: TenantLease
) -> Generator[Any, Any, BudgetCheck | None]:
    """Fill ``lease`` from the tenant budget; None when it holds permits, else the tenant's refusal
    (after its timer when it was queued: ask again)."""
    release_lease(context, request.tenant_id, request.operation, lease)
    wanted = max(request.permits, lease.size)
    min_permits = request.min_permits or request.permits
    ask = request.model_copy(update={"min_permits": min_permits})
    check = yield from _ask(context, tenant_entity(request.tenant_id), ask, wanted)
    if check.allowed:
        lease.take(check)
        return None
    if check.queued:
        yield context.create_timer(check.reset_at)
    return check


def acquire_permits(
    context: df.DurableOrchestrationContext, request: PermitRequest, lease: TenantLease | None = None
) -> Generator[Any, Any, BudgetCheck]:
    """Return once permits are usable (``allowed``) or the operation was rejected (not ``allowed``).

    Queued answers are waited out on a durable timer and asked again; reserved slots are waited
    out and used without asking again. With a ``lease`` the tenant budget is asked only when the
    lease is empty or too old; without one, unused tenant permits go back at once.
    """
    integration = integration_entity(request.tenant_id, request.integration_id)
    own = lease is None
    held = lease if lease is not None else TenantLease(request.permits)
    while True:
        window: tuple[datetime | None, datetime | None] = (None, None)
        permits, fresh = request.permits, False
        if request.use_tenant_budget:
            if held.left < request.permits:
                refused = yield from _tenant_lease(context, request, held)
                if refused is not None:
                    if refused.queued:
                        continue
                    return refused
                fresh = True
            window, permits = (held.slot, held.horizon()), min(request.permits, held.left)
        check = yield from _ask(context, integration, request, permits, window)
        if check.allowed:
            held.left -= check.granted if request.use_tenant_budget else 0
            if own:
                release_lease(context, request.tenant_id, request.operation, held)
            if check.reset_at > context.current_utc_datetime:
                yield context.create_timer(check.reset_at)
            return check
        release_lease(context, request.tenant_id, request.operation, held)
        if not fresh and request.use_tenant_budget:
            continue  # an old lease ran out of horizon: ask the tenant afresh
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


def report_limits_of(
    context: df.DurableOrchestrationContext, tenant_id: str, integration_id: str, snapshot: dict[str, Any],
    response_no: int,
) -> None:
    """``report_limits`` for the ``response_no``-th response of a series: only those worth an entity
    operation (``core.ratelimit.worth_reporting``: pressure always, else every tenth)."""
    if worth_reporting(LimitObservation.model_validate(snapshot), response_no):
        report_limits(context, tenant_id, integration_id, snapshot)


def report_rate_limited(
    context: df.DurableOrchestrationContext, tenant_id: str, integration_id: str, retry_after: float | None
) -> None:
    """Tell the budget a call failed with a limit error (``core.errors.RateLimited``): it blocks
    until ``retry_after`` (or its default back-off) and slows down."""
    report_limits(context, tenant_id, integration_id, {"limited": True, "retry_after": retry_after})
