"""History events in the DTFx shape the Python SDK reads (PascalCase keys, integer EventType).

Every event carries the four mandatory keys (`EventType`, `EventId`, `IsPlayed`, `Timestamp`); `IsPlayed`
is always false because the SDK derives replay from the last OrchestratorStarted.
"""

from __future__ import annotations

import functools
import importlib
import json
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any


class EventType(IntEnum):
    EXECUTION_STARTED = 0
    EXECUTION_COMPLETED = 1
    EXECUTION_FAILED = 2
    EXECUTION_TERMINATED = 3
    TASK_SCHEDULED = 4
    TASK_COMPLETED = 5
    TASK_FAILED = 6
    SUB_ORCHESTRATION_CREATED = 7
    SUB_ORCHESTRATION_COMPLETED = 8
    SUB_ORCHESTRATION_FAILED = 9
    TIMER_CREATED = 10
    TIMER_FIRED = 11
    ORCHESTRATOR_STARTED = 12
    ORCHESTRATOR_COMPLETED = 13
    EVENT_SENT = 14
    EVENT_RAISED = 15
    CONTINUE_AS_NEW = 16
    EXECUTION_SUSPENDED = 19
    EXECUTION_RESUMED = 20


class ActionType(IntEnum):
    CALL_ACTIVITY = 0
    CALL_ACTIVITY_WITH_RETRY = 1
    CALL_SUB_ORCHESTRATOR = 2
    CALL_SUB_ORCHESTRATOR_WITH_RETRY = 3
    CONTINUE_AS_NEW = 4
    CREATE_TIMER = 5
    WAIT_FOR_EXTERNAL_EVENT = 6
    CALL_ENTITY = 7
    CALL_HTTP = 8
    SIGNAL_ENTITY = 9
    WHEN_ANY = 11
    WHEN_ALL = 12


COMPLETION_TYPES = frozenset({
    EventType.TASK_COMPLETED, EventType.TASK_FAILED, EventType.SUB_ORCHESTRATION_COMPLETED,
    EventType.SUB_ORCHESTRATION_FAILED, EventType.TIMER_FIRED,
})
TERMINAL = frozenset({"Completed", "Failed", "Terminated", "Canceled"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def fmt(ts: datetime) -> str:
    """The timestamp form used everywhere in the task hub: ISO 8601, microseconds, `Z`."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def event(kind: EventType, ts: str, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"EventType": int(kind), "EventId": event_id, "IsPlayed": False, "Timestamp": ts}
    data.update(fields)
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


_SDK_HISTORY_EVENT = "azure.durable_functions.models.history.HistoryEvent"
TIMESTAMP_CACHE = 16_384
"""Parsed timestamps kept per process: the histories of the generations in flight, many times over."""


def install_sdk_timestamp_cache() -> None:
    """Let the SDK parse each history timestamp once per process instead of once per replay.

    The SDK builds every history event with ``dateutil.parser.parse(Timestamp)`` (about 80 µs) on every
    replay: for a 20-page sync generation that was over half of an episode. The same strings come back on
    every episode and the parsed datetimes are immutable, so a memo returns exactly what dateutil would;
    nothing the orchestrator sees or sends changes. Used by the host and by every worker process.
    """
    # The package re-exports the class under the module's name, so fetch the module itself.
    module = importlib.import_module(_SDK_HISTORY_EVENT)
    parse_ts = getattr(module, "dt_parse")  # noqa: B009 - the SDK's module global, not typed for mypy
    if not hasattr(parse_ts, "cache_info"):
        setattr(module, "dt_parse", functools.lru_cache(maxsize=TIMESTAMP_CACHE)(parse_ts))  # noqa: B010
