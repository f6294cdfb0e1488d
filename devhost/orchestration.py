"""One orchestration episode: deliver events, replay the orchestrator, act on its new actions.

An episode appends `OrchestratorStarted` and the selected inbox events to the history, calls the SDK's
orchestrator wrapper with the whole history (the out-of-process protocol), checks the replayed actions
against the recorded ones, numbers the new actions as the SDK did, and turns them into work: activities,
timers, sub-orchestrations, entity operations. The caller commits everything in one transaction.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
import warnings
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import azure.functions as func

from .bookkeeping import Meta, RetryChain, atomic_actions, retry_event_key, select_events, signature
from .history import ActionType, EventType, dumps, event, fmt, parse, utcnow

if TYPE_CHECKING:
    from .engine import Core

log = logging.getLogger("devhost")
OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"


class Nondeterminism(Exception):
    """A replay produced different actions than the recorded history."""


def process_instance(core: Core, instance_id: str) -> None:
    """Run one episode for `instance_id` if it has deliverable events (core thread, inside a transaction)."""
    store = core.store
    inst = store.get_instance(instance_id)
    if inst is None:
        return
    pending = [(row, json.loads(text)) for row, text in store.pending_events(instance_id)]
    if not pending:
        return
    if inst["status"] in core.TERMINAL:
        store.clear_inbox(instance_id)
        return
    if inst["status"] == "Suspended":
        return
    meta = Meta.load(inst["meta"])
    selected, consumed = select_events(pending, meta)
    store.delete_events(consumed)
    if not selected:
        return
    now = max(utcnow(), parse(meta.last_ts)) if meta.last_ts else utcnow()
    ts = fmt(now)
    meta.last_ts = ts
    new_events = [event(EventType.ORCHESTRATOR_STARTED, ts), *selected]
    after: list[dict[str, Any]] = []
    _pre_allocate_retry_ids(core, inst, meta, selected, now, after)
    history = core.history(instance_id)
    new_texts = [dumps(e) for e in new_events]
    state, error = _invoke(core, inst, history + new_texts)
    if state is not None and error is None:
        try:
            _apply_actions(core, inst, meta, state, now, after)
        except Nondeterminism as exc:
            error = f"Non-deterministic workflow detected: {exc}"
    if "customStatus" in (state or {}):
        inst["custom_status"] = json.dumps(state["customStatus"])  # type: ignore[index]
    after.append(event(EventType.ORCHESTRATOR_COMPLETED, ts))
    new_texts += [dumps(e) for e in after]
    store.append_history(instance_id, meta.history_len, new_texts)
    history.extend(core.replay_texts(new_texts))
    meta.history_len += len(new_texts)
    if inst["status"] == "Pending":
        inst["status"] = "Running"
    inst["updated_at"] = ts
    inst["meta"] = meta.dump()
    if error is not None:
        core.finish(inst, "Failed", json.dumps(error), ts)
        log.warning("orchestration %s (%s) failed: %s", inst["name"], instance_id, error.splitlines()[0])
    elif state is not None and state.get("isDone"):
        _complete(core, inst, meta, state, ts)
    else:
        store.put_instance(inst)


def _invoke(core: Core, inst: dict[str, Any], history: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    fn = core.registry.orchestrators.get(inst["name"])
    if fn is None:
        return None, f"The orchestrator function '{inst['name']}' does not exist"
    context = (
        '{"history":[' + ",".join(history) + '],"input":' + (inst["input"] or "null")
        + ',"instanceId":' + json.dumps(inst["instance_id"]) + ',"isReplaying":false,"parentInstanceId":'
        + json.dumps(inst["parent_id"]) + ',"upperSchemaVersion":1}'
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = fn(context=func.OrchestrationContext(context))
        return json.loads(text), None
    except Exception as exc:  # the SDK's failure channel: the state rides on the exception message
        message = str(exc)
        if OUT_OF_PROC_MARKER in message:
            head, _, data = message.partition(OUT_OF_PROC_MARKER)
            state = json.loads(data)
            return state, f"Orchestrator function '{inst['name']}' failed: {head}"
        return None, f"Orchestrator function '{inst['name']}' failed: {message}\n{traceback.format_exc()}"


def _actions(state: dict[str, Any]) -> list[dict[str, Any]]:
    actions = state.get("actions") or []
    if actions and isinstance(actions[0], list):
        return [a for group in actions for a in group]
    return actions


def _apply_actions(core: Core, inst: dict[str, Any], meta: Meta, state: dict[str, Any], now: Any,
                   after: list[dict[str, Any]]) -> None:
    actions = _actions(state)
    seen = len(meta.sigs)
    for k in range(min(seen, len(actions))):
        if signature(actions[k]) != meta.sigs[k]:
            raise Nondeterminism(
                f"action #{k} was {meta.sigs[k]} in history but the replay produced {signature(actions[k])}"
            )
        _apply_cancellations(core, inst, meta, actions[k], meta.action_ids[k])
    if len(actions) < seen and not state.get("isDone") and not state.get("error"):
        raise Nondeterminism(f"the replay produced {len(actions)} actions, the history has {seen}")
    for action in actions[seen:]:
        ids = [_schedule(core, inst, meta, a, now, after) for a in atomic_actions(action)]
        meta.sigs.append(signature(action))
        meta.action_ids.append(ids)


def _apply_cancellations(core: Core, inst: dict[str, Any], meta: Meta, action: dict[str, Any],
                         ids: list[int | None]) -> None:
    for atomic, task_id in zip(atomic_actions(action), ids, strict=False):
        if (atomic.get("actionType") == ActionType.CREATE_TIMER and atomic.get("isCanceled")
                and task_id is not None and task_id not in meta.canceled):
            meta.canceled.append(task_id)
            if task_id in meta.open:
                meta.open.remove(task_id)
            core.store.cancel_timer(inst["instance_id"], task_id)


def _schedule(core: Core, inst: dict[str, Any], meta: Meta, action: dict[str, Any], now: Any,
              after: list[dict[str, Any]]) -> int | None:
    kind = action.get("actionType")
    if kind == ActionType.WAIT_FOR_EXTERNAL_EVENT:
        return None
    n = meta.allocate()
    ts = fmt(now)
    iid = inst["instance_id"]
    if kind in (ActionType.CALL_ACTIVITY, ActionType.CALL_ACTIVITY_WITH_RETRY):
        name = action["functionName"]
        after.append(event(EventType.TASK_SCHEDULED, ts, n, Name=name, Version="", Input=action.get("input")))
        core.add_task(inst, n, "activity", name, action.get("input"))
        meta.open.append(n)
        if kind == ActionType.CALL_ACTIVITY_WITH_RETRY:
            meta.retry[str(n)] = vars(_chain("activity", action))
    elif kind in (ActionType.CALL_SUB_ORCHESTRATOR, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
        child = action.get("instanceId") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{iid}/{inst['execution_id']}/{n}"))
        name = action["functionName"]
        after.append(event(EventType.SUB_ORCHESTRATION_CREATED, ts, n, Name=name, InstanceId=child,
                           Input=action.get("input")))
        meta.open.append(n)
        if kind == ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY:
            chain = _chain("orchestrator", action)
            chain.instance_id = child
            meta.retry[str(n)] = vars(chain)
        core.start_child(inst, n, name, child, action.get("input"))
    elif kind == ActionType.CREATE_TIMER:
        fire_at = action["fireAt"]
        after.append(event(EventType.TIMER_CREATED, ts, n, FireAt=fire_at))
        if not action.get("isCanceled"):
            meta.open.append(n)
            core.add_timer(inst, n, fire_at, event(EventType.TIMER_FIRED, fire_at, TimerId=n, FireAt=fire_at))
    elif kind in (ActionType.CALL_ENTITY, ActionType.SIGNAL_ENTITY):
        _send_entity_op(core, inst, action, n, ts, after, signal=kind == ActionType.SIGNAL_ENTITY)
    elif kind == ActionType.CALL_HTTP:
        after.append(event(EventType.TASK_SCHEDULED, ts, n, Name="BuiltIn::HttpActivity", Version=""))
        core.add_task(inst, n, "http", "BuiltIn::HttpActivity", json.dumps(action.get("httpRequest")))
        meta.open.append(n)
    return n


def _chain(kind: str, action: dict[str, Any]) -> RetryChain:
    options = action.get("retryOptions") or {}
    return RetryChain(
        kind=kind, name=action["functionName"], input=action.get("input"),
        max_attempts=int(options.get("maxNumberOfAttempts") or 1),
        interval_ms=int(options.get("firstRetryIntervalInMilliseconds") or 0),
    )


def _send_entity_op(core: Core, inst: dict[str, Any], action: dict[str, Any], n: int, ts: str,
                    after: list[dict[str, Any]], signal: bool) -> None:
    target = action["instanceId"]
    request_id = str(uuid.uuid4())
    operation = action.get("operation")
    message = {"op": operation, "signal": signal, "input": action.get("input"), "id": request_id,
               "parent": inst["instance_id"]}
    after.append(event(EventType.EVENT_SENT, ts, n, InstanceId=target, Name=operation, Input=json.dumps(message)))
    core.entity_operation(
        target, operation, json.dumps(action.get("input")), signal,
        request_id=request_id, caller=None if signal else inst["instance_id"],
        caller_execution=inst["execution_id"],
    )


def _pre_allocate_retry_ids(core: Core, inst: dict[str, Any], meta: Meta, selected: list[dict[str, Any]],
                            now: Any, after: list[dict[str, Any]]) -> None:
    """Mirror the ids the SDK takes while it processes a retry-related event (delivered alone)."""
    for ev in selected:
        key = retry_event_key(ev, meta)
        if key is None:
            _close(meta, ev)
            continue
        ts = fmt(now)
        if ev["EventType"] == EventType.TIMER_FIRED:
            chain = RetryChain(**meta.retry_timers.pop(key))
            if chain.exhausted:
                continue
            n = meta.allocate()
            chain.attempt += 1
            meta.retry[str(n)] = vars(chain)
            meta.open.append(n)
            if chain.kind == "activity":
                after.append(event(EventType.TASK_SCHEDULED, ts, n, Name=chain.name, Version="", Input=chain.input))
                core.add_task(inst, n, "activity", chain.name, chain.input)
            else:
                after.append(event(EventType.SUB_ORCHESTRATION_CREATED, ts, n, Name=chain.name,
                                   InstanceId=chain.instance_id, Input=chain.input))
                core.start_child(inst, n, chain.name, chain.instance_id or "", chain.input)
        else:  # a failed attempt: a retry timer (a last one, firing now, after the final attempt)
            chain = RetryChain(**meta.retry.pop(key))
            _close(meta, ev)
            m = meta.allocate()
            chain.exhausted = chain.attempt >= chain.max_attempts
            delay = timedelta(0) if chain.exhausted else timedelta(milliseconds=chain.interval_ms)
            fire_at = fmt(now + delay)
            meta.retry_timers[str(m)] = vars(chain)
            after.append(event(EventType.TIMER_CREATED, ts, m, FireAt=fire_at))
            core.add_timer(inst, m, fire_at, event(EventType.TIMER_FIRED, fire_at, TimerId=m, FireAt=fire_at))


def _close(meta: Meta, ev: dict[str, Any]) -> None:
    kind = ev["EventType"]
    key = ev.get("TimerId") if kind == EventType.TIMER_FIRED else ev.get("TaskScheduledId")
    if key is not None and key in meta.open:
        meta.open.remove(key)
    if kind in (EventType.TASK_COMPLETED, EventType.SUB_ORCHESTRATION_COMPLETED) and key is not None:
        meta.retry.pop(str(key), None)


def _complete(core: Core, inst: dict[str, Any], meta: Meta, state: dict[str, Any], ts: str) -> None:
    can = next((a for a in _actions(state) if a.get("actionType") == ActionType.CONTINUE_AS_NEW), None)
    if can is not None:
        core.continue_as_new(inst, can.get("input"), ts)
        return
    output = state.get("output")
    core.finish(inst, "Completed", json.dumps(output), ts)
