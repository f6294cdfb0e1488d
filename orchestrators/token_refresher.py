"""``token_refresher``: the singleton eternal orchestration that keeps OAuth tokens fresh.

One instance, id ``token-refresher`` (``timers.token_refresher`` starts it when it is not running).
Each generation: find the credentials expiring within the threshold, refresh each through an
activity (in parallel, bounded by ``token_refresh_max_per_generation``), publish counts in custom
status, sleep on a durable timer until the next check (``credentials.plan``: every interval,
sooner when an expiry is nearer, backing off after transient failures), then ``continue_as_new``
so the history never grows past one generation. Inputs, outputs and status hold ids and counts:
never a token.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import azure.durable_functions as df

from activities.credentials import find_expiring_credentials, refresh_due_credential
from credentials.models import (
    FindExpiringInput,
    FindExpiringResult,
    RefresherState,
    RefreshOutcome,
    RefreshPlan,
    RefreshResult,
)
from credentials.plan import earliest_due, next_check_at

REFRESHER_INSTANCE_ID = "token-refresher"
REFRESHER_NAME = "token_refresher"
# Used only when a generation failed before or while reading its plan (store down, bad settings):
# back off from one minute, doubling per failing generation, up to an hour.
FALLBACK_PLAN = RefreshPlan(interval_seconds=3600, threshold_seconds=3600, min_interval_seconds=60,
                            max_per_generation=1)

bp = df.Blueprint()


def _generation(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """One generation's work; returns (plan, outcomes, next_due_at, more_due)."""
    found = FindExpiringResult.model_validate((yield context.call_activity(
        find_expiring_credentials, FindExpiringInput(as_of=context.current_utc_datetime).to_wire())))
    tasks = [context.call_activity(refresh_due_credential, item.to_wire()) for item in found.due]
    results: list[Any] = (yield context.task_all(tasks)) if tasks else []
    outcomes = [RefreshOutcome.model_validate(r) for r in results]
    return found.plan, outcomes, found.next_due_at, found.more


@bp.orchestration_trigger(context_name="context")
def token_refresher(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    state = RefresherState.model_validate(context.get_input() or {})
    try:
        plan, outcomes, next_due_at, more = yield from _generation(context)
        failed = any(o.result == RefreshResult.TRANSIENT_FAILURE for o in outcomes)
    except Exception:  # noqa: BLE001 - the SDK raises plain Exception for a failed activity; stay alive
        plan, outcomes, next_due_at, more, failed = FALLBACK_PLAN, [], None, False, True
    failures = state.failures + 1 if failed else 0
    now = context.current_utc_datetime
    fire_at = next_check_at(now, plan, earliest_due(next_due_at, outcomes), failures, more)
    counts = Counter(o.result.value for o in outcomes)
    refreshed = counts.get(RefreshResult.REFRESHED.value, 0)
    context.set_custom_status({
        "generation": state.generation + 1, "due": len(outcomes), "outcomes": dict(sorted(counts.items())),
        "consecutiveFailures": failures, "refreshedTotal": state.refreshed_total + refreshed,
        "nextCheckAt": fire_at.isoformat().replace("+00:00", "Z"),
    })
    if fire_at > now:
        yield context.create_timer(fire_at)
    context.continue_as_new(RefresherState(generation=state.generation + 1, failures=failures,
                                           refreshed_total=state.refreshed_total + refreshed).to_wire())
