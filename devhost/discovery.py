"""Finding the app's functions the way the Python worker indexes them.

The worker imports `function_app`, takes the single `FunctionRegister` (a `df.DFApp` is one, a blueprint is
not), calls `get_functions()` once, and binds each function's parameters by binding name. The Durable
extension then registers orchestrators, activities and entities under their trigger alias, or the function
name; entity names are matched case-insensitively because the SDK lower-cases them.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import azure.functions as func

from .routes import RouteTemplate

log = logging.getLogger("devhost")


class DiscoveryError(Exception):
    """The app cannot be loaded or one of its functions is misconfigured."""


@dataclass
class HttpFunction:
    name: str
    fn: Callable[..., Any]
    route: RouteTemplate
    methods: frozenset[str] | None
    auth_level: str
    trigger_param: str
    client_params: tuple[str, ...]
    wants_context: bool
    is_async: bool


@dataclass
class TimerFunction:
    name: str
    fn: Callable[..., Any]
    schedule: str
    run_on_startup: bool
    use_monitor: bool
    trigger_param: str
    client_params: tuple[str, ...]
    wants_context: bool
    is_async: bool


@dataclass
class ActivityFunction:
    name: str
    fn: Callable[..., Any]
    trigger_param: str
    is_async: bool


@dataclass
class Registry:
    """Everything the host can invoke, by the name the Durable extension registers."""

    http: list[HttpFunction] = field(default_factory=list)
    timers: list[TimerFunction] = field(default_factory=list)
    orchestrators: dict[str, Callable[..., Any]] = field(default_factory=dict)
    activities: dict[str, ActivityFunction] = field(default_factory=dict)
    entities: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def summary(self) -> list[str]:
        lines = [f"  {f.name}: [{','.join(sorted(f.methods or {'*'}))}] /{f.route.template}" for f in self.http]
        lines += [f"  {t.name}: timerTrigger '{t.schedule}'" for t in self.timers]
        lines += [f"  {n}: orchestrationTrigger" for n in self.orchestrators]
        lines += [f"  {n}: activityTrigger" for n in self.activities]
        lines += [f"  {n}: entityTrigger" for n in self.entities]
        return lines


def load_app(app_root: Path) -> func.FunctionRegister:
    """Import `function_app` from `app_root` and return its single FunctionRegister."""
    root = str(app_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    if not (app_root / "function_app.py").exists():
        raise DiscoveryError(f"{app_root}/function_app.py not found")
    module = importlib.import_module("function_app")
    registers = [v for v in vars(module).values() if isinstance(v, func.FunctionRegister)]
    if len(registers) != 1:
        raise DiscoveryError(
            f"function_app must define exactly one FunctionRegister (df.DFApp or func.FunctionApp); "
            f"found {len(registers)}"
        )
    return registers[0]


def _param_names(fn: Callable[..., Any]) -> set[str]:
    target = getattr(fn, "client_function", fn)
    return set(inspect.signature(target).parameters)


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn)


def build_registry(app: func.FunctionRegister, route_prefix: str) -> Registry:
    """Index the app's functions; raise DiscoveryError naming the function that is misconfigured."""
    registry = Registry()
    for f in app.get_functions():  # single-shot: a second call raises in the SDK
        name = f.get_function_name() or f.get_user_function().__name__
        bindings = [json.loads(raw) for raw in f.get_raw_bindings()]
        trigger = next((b for b in bindings if b["type"].lower().endswith("trigger")), None)
        if trigger is None:
            raise DiscoveryError(f"function '{name}' has no trigger binding")
        _register(registry, name, f.get_user_function(), trigger, bindings, route_prefix)
    return registry


def _register(
    registry: Registry,
    name: str,
    fn: Callable[..., Any],
    trigger: dict[str, Any],
    bindings: list[dict[str, Any]],
    route_prefix: str,
) -> None:
    kind = trigger["type"]
    clients = tuple(b["name"] for b in bindings if b["type"] == "durableClient")
    others = [
        b for b in bindings
        if b is not trigger and b["type"] not in ("durableClient", "http") and b["name"] != "$return"
    ]
    if others:
        raise DiscoveryError(
            f"function '{name}': binding type(s) {sorted({b['type'] for b in others})} are not supported by devhost"
        )
    if kind == "httpTrigger":
        methods = trigger.get("methods")
        route = trigger.get("route") or name
        registry.http.append(HttpFunction(
            name=name, fn=fn, route=RouteTemplate(route, route_prefix),
            methods=frozenset(m.upper() for m in methods) if methods else None,
            auth_level=str(trigger.get("authLevel", "FUNCTION")).upper(),
            trigger_param=trigger["name"], client_params=clients,
            wants_context="context" in _param_names(fn) - {trigger["name"], *clients},
            is_async=_is_async(fn),
        ))
    elif kind == "timerTrigger":
        registry.timers.append(TimerFunction(
            name=name, fn=fn, schedule=trigger["schedule"],
            run_on_startup=bool(trigger.get("runOnStartup")), use_monitor=bool(trigger.get("useMonitor", True)),
            trigger_param=trigger["name"], client_params=clients,
            wants_context="context" in _param_names(fn) - {trigger["name"], *clients},
            is_async=_is_async(fn),
        ))
    elif kind == "orchestrationTrigger":
        _require_context_name(name, kind, trigger)
        registry.orchestrators[trigger.get("orchestration") or name] = fn
    elif kind == "activityTrigger":
        registry.activities[trigger.get("activity") or name] = ActivityFunction(
            name=name, fn=fn, trigger_param=trigger["name"], is_async=_is_async(fn))
    elif kind == "entityTrigger":
        _require_context_name(name, kind, trigger)
        registry.entities[(trigger.get("entityName") or name).lower()] = fn
    else:
        raise DiscoveryError(f"function '{name}': trigger type '{kind}' is not supported by devhost")


def _require_context_name(name: str, kind: str, trigger: dict[str, Any]) -> None:
    # The SDK's wrapper parameter is literally `context`; the real worker refuses any other name.
    if trigger["name"] != "context":
        raise DiscoveryError(
            f"function '{name}': the {kind} parameter must be named 'context' (got '{trigger['name']}')"
        )
