"""The rate-limit budget entity: one instance per integration (and one per tenant).

Operations (input: the camelCase JSON of the named model; result: JSON-native dict):

    acquire   AcquireRequest  -> BudgetCheck     grant, reserve a slot, queue or reject
    release   ReleaseRequest  -> ReleaseResult   give back unused permits
    observe   ObserveRequest  -> state snapshot  fold in a response's rate-limit headers
    configure BudgetConfig    -> state snapshot  provider, Integration.rateLimits, levels
    get       (none)          -> state snapshot  for debugging

The entity answers at once and never sleeps: waiting happens in the calling orchestrator on a
durable timer. All logic lives in ``core.ratelimit``; this module only parses and persists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import azure.durable_functions as df

from core.errors import ConfigError
from core.ratelimit import (
    AcquireRequest,
    BudgetConfig,
    BudgetState,
    ObserveRequest,
    ReleaseRequest,
    acquire,
    configure,
    default_config_for_key,
    new_state,
    observe,
    release,
)

ENTITY_NAME = "rate_limit_budget"

bp = df.Blueprint()

Handler = Callable[[BudgetState, Any], tuple[BudgetState, dict[str, Any]]]


def _acquire(state: BudgetState, data: Any) -> tuple[BudgetState, dict[str, Any]]:
    state, check = acquire(state, AcquireRequest.model_validate(data))
    return state, check.to_wire()


def _release(state: BudgetState, data: Any) -> tuple[BudgetState, dict[str, Any]]:
    state, result = release(state, ReleaseRequest.model_validate(data))
    return state, result.to_wire()


def _observe(state: BudgetState, data: Any) -> tuple[BudgetState, dict[str, Any]]:
    state = observe(state, ObserveRequest.model_validate(data))
    return state, state.to_wire()


def _configure(state: BudgetState, data: Any) -> tuple[BudgetState, dict[str, Any]]:
    state = configure(state, BudgetConfig.model_validate(data))
    return state, state.to_wire()


OPERATIONS: dict[str, Handler] = {
    "acquire": _acquire,
    "release": _release,
    "observe": _observe,
    "configure": _configure,
}


def load_state(raw: Any, key: str) -> BudgetState:
    """The persisted state, or a fresh budget with the defaults for ``key``."""
    if raw is None:
        return new_state(default_config_for_key(key))
    return BudgetState.model_validate(raw)


@bp.entity_trigger(context_name="context")
def rate_limit_budget(context: df.DurableEntityContext) -> None:
    """Run one budget operation; invalid input fails that operation only (state unchanged)."""
    # expected_type: plain JSON objects, decoded without the SDK's custom-class lookup.
    state = load_state(context.get_state(expected_type=dict), context.entity_key)
    operation = context.operation_name
    if operation == "get":
        # ``get`` takes no input: the host may send null, which get_input() cannot decode.
        context.set_result(state.to_wire())
        return
    handler = OPERATIONS.get(operation or "")
    if handler is None:
        raise ConfigError(f"unknown rate-limit operation {operation!r}")
    state, result = handler(state, context.get_input(expected_type=dict))
    context.set_state(state.to_wire())
    context.set_result(result)
