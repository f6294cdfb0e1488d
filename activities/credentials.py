"""Activities of the token refresher: find the credentials due for a refresh, refresh one.

Inputs and results carry ids, timestamps and outcome codes (``credentials.models``), never a
token: orchestration history is not a secret store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from core.settings import get_settings
from credentials.models import FindExpiringInput, FindExpiringResult, RefreshDueInput
from credentials.plan import refresh_due_at
from credentials.runtime import credential_service, refresh_plan

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload")
def find_expiring_credentials(payload: dict[str, Any]) -> dict[str, Any]:
    """Renewable credentials due at ``asOf`` (at most one generation's worth), whether more are due,
    and the soonest refresh time among the others."""
    as_of = FindExpiringInput.model_validate(payload).as_of
    plan = refresh_plan(get_settings())
    horizon = as_of + timedelta(seconds=plan.threshold_seconds + plan.interval_seconds)
    due: list[RefreshDueInput] = []
    later = []
    for meta in credential_service().expiring(horizon, plan.max_per_generation + 1):
        if meta.expires_at is None:
            continue
        due_at = refresh_due_at(meta.expires_at, meta.last_refreshed_at, plan.threshold_seconds)
        if due_at > as_of:
            later.append(due_at)
            continue
        # Due now: refresh unless it expires later than this credential's own lead from now.
        due.append(RefreshDueInput(tenant_id=str(meta.tenant_id), integration_id=str(meta.integration_id),
                                   due_before=as_of + (meta.expires_at - due_at)))
    result = FindExpiringResult(due=due[: plan.max_per_generation], more=len(due) > plan.max_per_generation,
                                next_due_at=min(later) if later else None, plan=plan)
    return result.to_wire()


@bp.activity_trigger(input_name="payload")
async def refresh_due_credential(payload: dict[str, Any]) -> dict[str, Any]:
    """Refresh one credential through the per-credential critical section; returns a RefreshOutcome
    with the time it will be due again."""
    request = RefreshDueInput.model_validate(payload)
    service = credential_service()
    outcome = await service.refresh_credential(
        request.tenant_id, request.integration_id, due_before=request.due_before, reason="scheduled")
    meta = service.metadata(request.tenant_id, request.integration_id)
    if meta is not None and meta.expires_at is not None:
        threshold = refresh_plan(get_settings()).threshold_seconds
        outcome = outcome.model_copy(update={
            "next_due_at": refresh_due_at(meta.expires_at, meta.last_refreshed_at, threshold)})
    return outcome.to_wire()
