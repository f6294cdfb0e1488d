"""Replay bookkeeping: which task ids the SDK has handed out, and which are still open.

The SDK numbers tasks from one counter. It takes an id for each new atomic action, in the order the
actions appear (walked depth-first through WhenAll/WhenAny; waits for external events take none), and, for
retried work, one while it processes a failed attempt (for the retry timer) and one while it processes a
fired retry timer (for the next attempt). The host mirrors that counter. Retry-related events are delivered
alone in an episode, so the ids they take always come before the episode's new actions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .history import ActionType, EventType


@dataclass
class RetryChain:
    kind: str  # "activity" or "orchestrator"
    name: str
    input: str | None
    max_attempts: int
    interval_ms: int
    attempt: int = 1
    instance_id: str | None = None  # sub-orchestration retries reuse the child's id
    exhausted: bool = False


@dataclass
class Meta:
    next_id: int = 0
    sigs: list[Any] = field(default_factory=list)
    action_ids: list[list[int | None]] = field(default_factory=list)
    open: list[Any] = field(default_factory=list)
    retry: dict[str, dict[str, Any]] = field(default_factory=dict)
    retry_timers: dict[str, dict[str, Any]] = field(default_factory=dict)
    canceled: list[int] = field(default_factory=list)
    last_ts: str = ""
    history_len: int = 0

    @classmethod
    def load(cls, text: str | None) -> Meta:
        return cls(**json.loads(text)) if text else cls()

    def dump(self) -> str:
        # vars(), not dataclasses.asdict(): asdict deep-copies every list, which showed up in profiles.
        return json.dumps(vars(self), separators=(",", ":"))

    def allocate(self) -> int:
        n = self.next_id
        self.next_id += 1
        return n


def atomic_actions(action: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten compound actions depth-first, as the SDK walks them when it numbers tasks."""
    kind = action.get("actionType")
    if kind in (ActionType.WHEN_ALL, ActionType.WHEN_ANY):
        out: list[dict[str, Any]] = []
        for child in action.get("compoundActions") or []:
            out.extend(atomic_actions(child))
        return out
    return [action]


def signature(action: dict[str, Any]) -> Any:
    """What must be identical between replays (DTFx's nondeterminism check), ignoring isCanceled."""
    kind = action.get("actionType")
    if kind in (ActionType.WHEN_ALL, ActionType.WHEN_ANY):
        return [kind, [signature(c) for c in action.get("compoundActions") or []]]
    return [
        kind,
        action.get("functionName") or action.get("externalEventName") or action.get("operation"),
        action.get("instanceId") if kind in (ActionType.CALL_ENTITY, ActionType.SIGNAL_ENTITY) else None,
    ]


def retry_event_key(event: dict[str, Any], meta: Meta) -> str | None:
    """The chain key if this event makes the SDK allocate a retry id, else None."""
    kind = event["EventType"]
    if kind in (EventType.TASK_FAILED, EventType.SUB_ORCHESTRATION_FAILED):
        key = str(event["TaskScheduledId"])
        return key if key in meta.retry else None
    if kind == EventType.TIMER_FIRED:
        key = str(event["TimerId"])
        return key if key in meta.retry_timers else None
    return None


def completion_key(event: dict[str, Any]) -> Any:
    """The open-task key an event completes (None for events that complete no task)."""
    kind = event["EventType"]
    if kind in (EventType.TASK_COMPLETED, EventType.TASK_FAILED, EventType.SUB_ORCHESTRATION_COMPLETED,
                EventType.SUB_ORCHESTRATION_FAILED):
        return event["TaskScheduledId"]
    if kind == EventType.TIMER_FIRED:
        return event["TimerId"]
    return None


def select_events(pending: list[tuple[int, dict[str, Any]]], meta: Meta) -> tuple[list[dict[str, Any]], list[int]]:
    """Choose the events for the next episode; return them and the inbox rows consumed.

    Completions for tasks that are not open (a duplicate after a crash, a canceled timer) are dropped. A
    retry-related event travels alone; any other events are delivered together.
    """
    selected: list[dict[str, Any]] = []
    consumed: list[int] = []
    open_keys = set(meta.open)
    for row_id, ev in pending:
        key = completion_key(ev)
        if key is not None and key not in open_keys and str(key) not in meta.retry_timers:
            consumed.append(row_id)
            continue
        is_retry = retry_event_key(ev, meta) is not None
        if is_retry and selected:
            break
        selected.append(ev)
        consumed.append(row_id)
        if is_retry:
            break
    return selected, consumed
