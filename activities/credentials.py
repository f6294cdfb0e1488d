"""Activities of the token refresher: find the credentials due for a refresh, refresh one.

Inputs and results carry ids, timestamps and outcome codes (``credentials.models``), never a
token: orchestration history is not a secret store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from core.settings import get_settings
from credentials.models import CredentialRef, FindExpiringInput, FindExpiringResult, RefreshDueInput
from credentials.runtime import credential_service, refresh_plan

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload")
def find_expiring_credentials(payload: dict[str, Any]) -> dict[str, Any]:
    """Renewable credentials expiring within the threshold of ``asOf`` (at most one generation's
    worth), whether more are due, and the nearest expiry beyond them."""
    request = FindExpiringInput.model_validate(payload)
    plan = refresh_plan(get_settings())
    due_before = request.as_of + timedelta(seconds=plan.threshold_seconds)
    horizon = due_before + timedelta(seconds=plan.interval_seconds)
    found = credential_service().expiring(horizon, plan.max_per_generation + 1)
    due = [m for m in found if m.expires_at is not None and m.expires_at <= due_before]
    later = [m.expires_at for m in found if m.expires_at is not None and m.expires_at > due_before]
    result = FindExpiringResult(
        due=[CredentialRef(tenant_id=str(m.tenant_id), integration_id=str(m.integration_id))
             for m in due[: plan.max_per_generation]],
        more=len(due) > plan.max_per_generation,
        next_expiry=min(later) if later else None,
        plan=plan,
    )
    return result.to_wire()


@bp.activity_trigger(input_name="payload")
async def refresh_due_credential(payload: dict[str, Any]) -> dict[str, Any]:
    """Refresh one credential through the per-credential critical section; returns a RefreshOutcome."""
    request = RefreshDueInput.model_validate(payload)
    outcome = await credential_service().refresh_credential(
        request.tenant_id, request.integration_id, due_before=request.due_before, reason="scheduled")
    return outcome.to_wire()
