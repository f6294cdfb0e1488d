"""A minimal in-memory entity host for the tests: it speaks durable-protocol.md §3 to the real
function object that ``df.Blueprint`` registered (through ``get_user_function()``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import azure.durable_functions as df

from entities.rate_limit import ENTITY_NAME, bp


def registered_entity() -> Callable[..., str]:
    """The callable the Functions worker would invoke for ``rate_limit_budget``."""
    app = df.DFApp()
    app.register_functions(bp)
    functions = {f.get_function_name(): f for f in app.get_functions()}
    function = functions[ENTITY_NAME]
    assert function.get_trigger().type == "entityTrigger"
    return function.get_user_function()


@dataclass
class OperationResult:
    is_error: bool
    value: Any


@dataclass
class EntityHost:
    """Runs batches per entity serially and persists ``entityState`` between them."""

    function: Callable[..., str] = field(default_factory=registered_entity)
    states: dict[str, str | None] = field(default_factory=dict)
    batches: int = 0

    def run(self, key: str, operations: list[tuple[str, Any]]) -> list[OperationResult]:
        """One batch of (operation, input) pairs; ``input`` None means the host sends null."""
        batch = [
            {
                "name": name,
                # Operation input is double-encoded JSON text (protocol §3).
                "input": None if value is None else json.dumps(json.dumps(value)),
                "isSignal": False,
                "id": f"op-{self.batches}-{i}",
            }
            for i, (name, value) in enumerate(operations)
        ]
        context = {
            "self": {"name": ENTITY_NAME, "key": key},
            "exists": self.states.get(key) is not None,
            "state": self.states.get(key),
            "batch": batch,
        }
        self.batches += 1
        output = json.loads(self.function(context=json.dumps(context)))
        assert len(output["results"]) == len(operations)
        if output["entityExists"]:
            self.states[key] = output["entityState"]
        return [OperationResult(r["isError"], json.loads(r["result"])) for r in output["results"]]

    def call(self, key: str, operation: str, value: Any) -> Any:
        """One operation; raises if the entity reported an error."""
        (result,) = self.run(key, [(operation, value)])
        assert not result.is_error, result.value
        return result.value

    def state(self, key: str) -> dict[str, Any]:
        """The persisted state as a dict."""
        raw = self.states[key]
        assert raw is not None
        return json.loads(raw)
