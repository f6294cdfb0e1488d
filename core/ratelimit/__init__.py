"""Per-integration rate-limit budgets: a pure, deterministic state machine for a Durable entity.

Design (issue 3): one budget entity per integration (key ``tenant:integration``) holds the
provider's windows (Salesforce 25/s and 100,000/day, ...), the seeds' per-operation levels
(fetch 200/min, create 100/min, update 150/min, delete 100/min) and a daily quota. The seeds'
tenant level (5,000/min) is a second budget under the key ``tenant:*`` that the orchestrator-side
helper consults first; a single-integration tenant may instead put ``tenant_limit`` into the
integration's own budget.

Grants are reservations on sliding-window logs: concurrent callers get staggered slots and wait
on durable timers until theirs, so the achieved rate approaches each limit without any window
(widened by a dispatch margin) ever holding more than the limit. The entity never sleeps.

    budget.acquire(state, AcquireRequest) -> (state, BudgetCheck)
    budget.release(state, ReleaseRequest) -> (state, ReleaseResult)
    adapt.observe(state, ObserveRequest) -> state
    budget.configure(state, BudgetConfig) -> state
"""

from core.ratelimit.adapt import observe, worth_reporting
from core.ratelimit.budget import acquire, configure, new_state, release
from core.ratelimit.defaults import (
    OPERATION_DEFAULTS,
    TENANT_DEFAULT,
    TENANT_SLOT_HORIZON_SECONDS,
    tenant_budget_config,
)
from core.ratelimit.keys import default_config_for_key, integration_budget_key, tenant_budget_key
from core.ratelimit.models import (
    AcquireRequest,
    BudgetCheck,
    BudgetConfig,
    LimitObservation,
    ObserveRequest,
    ReleaseRequest,
    ReleaseResult,
    Risk,
    ThrottleReason,
    WindowLimit,
)
from core.ratelimit.state import BudgetState

__all__ = [
    "OPERATION_DEFAULTS",
    "TENANT_DEFAULT",
    "TENANT_SLOT_HORIZON_SECONDS",
    "AcquireRequest",
    "BudgetCheck",
    "BudgetConfig",
    "BudgetState",
    "LimitObservation",
    "ObserveRequest",
    "ReleaseRequest",
    "ReleaseResult",
    "Risk",
    "ThrottleReason",
    "WindowLimit",
    "acquire",
    "configure",
    "default_config_for_key",
    "integration_budget_key",
    "new_state",
    "observe",
    "release",
    "tenant_budget_config",
    "tenant_budget_key",
    "worth_reporting",
]
