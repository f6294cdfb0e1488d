"""The engine's core: every change to the task hub, made on one thread, one transaction per step.

The asyncio side (`dispatch.py`) runs activities, timers and HTTP; whenever something happens it calls one
of these methods on the core thread. Each method commits atomically and records `Effects`, the work the
async side must start next (activities to run, timers to arm, instances and entities that have events).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import entities, orchestration
from .bookkeeping import Meta
from .discovery import Registry
from .history import TERMINAL, EventType, dumps, event, fmt, install_sdk_timestamp_cache, utcnow
from .store import Store

log = logging.getLogger("devhost")
_SDK_IGNORED = tuple(f'{{"EventType":{int(k)},' for k in (
    EventType.TASK_SCHEDULED, EventType.SUB_ORCHESTRATION_CREATED, EventType.TIMER_CREATED,
    EventType.ORCHESTRATOR_COMPLETED,
))
_EVENT_SENT = f'{{"EventType":{int(EventType.EVENT_SENT)},'


class InstanceExists(Exception):
    """An instance with this id is already running."""


class UnknownFunction(Exception):
    """No orchestrator, activity or entity of that name is registered."""


@dataclass
class Effects:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    timers: list[tuple[int, str]] = field(default_factory=list)
    instances: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)

    def merge(self, other: Effects) -> None:
        self.tasks += other.tasks
        self.timers += other.timers
        self.instances |= other.instances
        self.entities |= other.entities


class Core:
    """State transitions of orchestrations and entities. Not thread-safe: use from the core thread only."""

    TERMINAL = TERMINAL

    def __init__(self, store: Store, registry: Registry, full_replay: bool = False) -> None:
        self.full_replay = full_replay
        self.store = store
        self.registry = registry
        self.effects = Effects()
        self._history: dict[str, list[str]] = {}
        install_sdk_timestamp_cache()

    def take_effects(self) -> Effects:
        effects, self.effects = self.effects, Effects()
        return effects

    def history(self, instance_id: str) -> list[str]:
        """The history the orchestrator replays (cached per instance between episodes)."""
        cached = self._history.get(instance_id)
        if cached is None:
            cached = self.replay_texts(self.store.load_history(instance_id))
            self._history[instance_id] = cached
        return cached

    def replay_texts(self, event_texts: list[str]) -> list[str]:
        """The replayed copies of stored history events: what the SDK reads of them, nothing more.

        TaskScheduled, SubOrchestrationInstanceCreated, TimerCreated and OrchestratorCompleted are kept in
        the task hub (status, history, nondeterminism checks) but the SDK never reads them, so by default
        they are not sent on every replay: that halves the replay cost of long orchestrations. Of an
        EventSent the SDK reads only the request id of a call_entity (it re-keys the pending call by it,
        durable-protocol.md §2.5); a signal's EventSent it never reads. So the replayed copy of a call's
        EventSent carries just ``{"id"}``, and a signal's is left out.
        """
        if self.full_replay:
            return list(event_texts)
        out = []
        for text in event_texts:
            if text.startswith(_SDK_IGNORED):
                continue
            if text.startswith(_EVENT_SENT):
                ev = json.loads(text)
                message = json.loads(ev["Input"])
                if message.get("signal"):
                    continue
                text = dumps({**ev, "Input": json.dumps({"id": message["id"]})})
            out.append(text)
        return out

    # steps driven by the async side -------------------------------------------------------------------
    def step(self, completions: list[tuple[int, str | None, tuple[str, str] | None]], timers: list[int],
             instances: set[str], entity_ids: set[str]) -> Effects:
        """Apply what happened since the last step, then run every instance and entity that has work."""
        for row_id, result, failure in completions:
            self.complete_task(row_id, result, failure)
        for row_id in timers:
            self.fire_timer(row_id)
        ready_i, ready_e = set(instances), set(entity_ids)
        for _ in range(8):  # follow entity calls and child completions a few hops without a round trip
            ready_i |= self.effects.instances
            ready_e |= self.effects.entities
            self.effects.instances, self.effects.entities = set(), set()
            if not ready_i and not ready_e:
                break
            self.run_entities(ready_e)
            self.run_instances(ready_i)
            ready_i, ready_e = set(), set()
        return self.take_effects()

    def run_instances(self, instance_ids: set[str]) -> None:
        for iid in instance_ids:
            with self.store.transaction():
                orchestration.process_instance(self, iid)
            if self.store.pending_events(iid):
                inst = self.store.get_instance(iid)
                if inst and inst["status"] not in ("Suspended", *TERMINAL):
                    self.effects.instances.add(iid)

    def run_entities(self, entity_ids: set[str]) -> None:
        for eid in entity_ids:
            with self.store.transaction():
                more = entities.run_batch(self, eid)
            if more:
                self.effects.entities.add(eid)

    def complete_task(self, row_id: int, result: str | None, failure: tuple[str, str] | None) -> None:
        """Record an activity's outcome exactly once; a duplicate completion finds no task row."""
        with self.store.transaction():
            task = self.store.take_task(row_id)
            if task is None:
                return
            inst = self.store.get_instance(task["instance_id"])
            if inst is None or inst["execution_id"] != task["execution_id"] or inst["status"] in TERMINAL:
                return
            ts = fmt(utcnow())
            if failure is None:
                ev = event(EventType.TASK_COMPLETED, ts, TaskScheduledId=task["task_id"], Result=result)
            else:
                ev = event(EventType.TASK_FAILED, ts, TaskScheduledId=task["task_id"], Reason=failure[0],
                           Details=failure[1])
            self.store.enqueue_event(task["instance_id"], dumps(ev))
        self.effects.instances.add(task["instance_id"])

    def fire_timer(self, row_id: int) -> None:
        with self.store.transaction():
            timer = self.store.take_timer(row_id)
            if timer is None:
                return
            inst = self.store.get_instance(timer["instance_id"])
            if inst is None or inst["execution_id"] != timer["execution_id"]:
                return
            self.store.enqueue_event(timer["instance_id"], timer["event"])
        self.effects.instances.add(timer["instance_id"])

    # used by episodes (inside their transaction) -----------------------------------------------------
    def add_task(self, inst: dict[str, Any], task_id: int, kind: str, name: str, payload: str | None) -> None:
        row = self.store.add_task(inst["instance_id"], inst["execution_id"], task_id, kind, name, payload)
        self.effects.tasks.append({"id": row, "instance_id": inst["instance_id"], "task_id": task_id,
                                   "kind": kind, "name": name, "input": payload})

    def add_timer(self, inst: dict[str, Any], task_id: int, fire_at: str, fired: dict[str, Any]) -> None:
        row = self.store.add_timer(inst["instance_id"], inst["execution_id"], task_id, fire_at, dumps(fired))
        self.effects.timers.append((row, fire_at))

    def start_child(self, parent: dict[str, Any], task_id: int, name: str, child_id: str,
                    input_text: str | None) -> None:
        existing = self.store.get_instance(child_id)
        if existing is not None and existing["status"] not in TERMINAL:
            self._notify_parent_failed(parent, task_id, f"An instance with ID '{child_id}' already exists.")
            return
        self._create(name, child_id, json.dumps(input_text), parent=(parent, task_id))

    def entity_operation(self, target: str, operation: str | None, input_text: str | None, signal: bool,
                         request_id: str, caller: str | None, caller_execution: str | None) -> None:
        op = {"name": operation, "input": input_text, "isSignal": signal, "id": request_id,
              "caller": caller, "callerExecution": caller_execution}
        self.store.enqueue_entity_op(target, json.dumps(op))
        self.effects.entities.add(target)

    def finish(self, inst: dict[str, Any], status: str, output_json: str, ts: str) -> None:
        """Move an instance to a terminal status and tell its parent, in the current transaction."""
        inst.update(status=status, output=output_json, updated_at=ts)
        self.store.put_instance(inst)
        self.store.clear_timers(inst["instance_id"])
        self._history.pop(inst["instance_id"], None)
        log.info("orchestration %s (%s) %s", inst["name"], inst["instance_id"], status.lower())
        if not inst["parent_id"]:
            return
        parent = self.store.get_instance(inst["parent_id"])
        if parent is None or parent["execution_id"] != inst["parent_execution_id"]:
            return
        if status == "Completed":
            ev = event(EventType.SUB_ORCHESTRATION_COMPLETED, ts, TaskScheduledId=inst["parent_task_id"],
                       Result=output_json)
            self.store.enqueue_event(parent["instance_id"], dumps(ev))
            self.effects.instances.add(parent["instance_id"])
        else:
            self._notify_parent_failed(parent, inst["parent_task_id"], json.loads(output_json) or status)

    def continue_as_new(self, inst: dict[str, Any], input_text: str | None, ts: str) -> None:
        """Start a fresh generation: new execution id, empty history; undelivered events are dropped."""
        iid = inst["instance_id"]
        self.store.clear_history(iid)
        self.store.clear_inbox(iid)
        self.store.clear_timers(iid)
        self._history.pop(iid, None)
        inst.update(execution_id=uuid.uuid4().hex, input=json.dumps(input_text), status="Running",
                    updated_at=ts, meta=Meta().dump())
        self.store.put_instance(inst)
        self._enqueue_start(inst)

    # client operations -------------------------------------------------------------------------------
    def start(self, name: str, instance_id: str | None, ctx_input: Any) -> str:
        if name not in self.registry.orchestrators:
            raise UnknownFunction(name)
        iid = instance_id or uuid.uuid4().hex
        with self.store.transaction():
            existing = self.store.get_instance(iid)
            if existing is not None and existing["status"] not in TERMINAL:
                raise InstanceExists(iid)
            self._create(name, iid, json.dumps(ctx_input), parent=None)
        return iid

    def _create(self, name: str, iid: str, input_json: str, parent: tuple[dict[str, Any], int] | None) -> None:
        ts = fmt(utcnow())
        self.store.delete_instance(iid)
        self._history.pop(iid, None)
        inst = {
            "instance_id": iid, "name": name, "execution_id": uuid.uuid4().hex, "status": "Pending",
            "input": input_json, "output": None, "custom_status": None, "created_at": ts, "updated_at": ts,
            "parent_id": parent[0]["instance_id"] if parent else None,
            "parent_task_id": parent[1] if parent else None,
            "parent_execution_id": parent[0]["execution_id"] if parent else None,
            "meta": Meta().dump(),
        }
        self.store.put_instance(inst)
        self._enqueue_start(inst)

    def _enqueue_start(self, inst: dict[str, Any]) -> None:
        ctx_input = json.loads(inst["input"]) if inst["input"] else None
        started = event(
            EventType.EXECUTION_STARTED, fmt(utcnow()), Name=inst["name"], Version="",
            Input=ctx_input if isinstance(ctx_input, str) or ctx_input is None else json.dumps(ctx_input),
            OrchestrationInstance={"InstanceId": inst["instance_id"], "ExecutionId": inst["execution_id"]},
        )
        self.store.enqueue_event(inst["instance_id"], dumps(started))
        self.effects.instances.add(inst["instance_id"])

    def _notify_parent_failed(self, parent: dict[str, Any], task_id: int, reason: str) -> None:
        ev = event(EventType.SUB_ORCHESTRATION_FAILED, fmt(utcnow()), TaskScheduledId=task_id,
                   Reason=str(reason), Details="")
        self.store.enqueue_event(parent["instance_id"], dumps(ev))
        self.effects.instances.add(parent["instance_id"])

    def _live(self, instance_id: str) -> dict[str, Any] | str:
        """The instance if it is not finished, else 'missing' or 'gone' (what the control APIs answer)."""
        inst = self.store.get_instance(instance_id)
        if inst is None:
            return "missing"
        return "gone" if inst["status"] in TERMINAL else inst

    def _append(self, inst: dict[str, Any], ev: dict[str, Any]) -> None:
        """Append one host event to the history (terminate, suspend, resume), outside an episode."""
        meta = Meta.load(inst["meta"])
        self.store.append_history(inst["instance_id"], meta.history_len, [dumps(ev)])
        self._history.pop(inst["instance_id"], None)
        meta.history_len += 1
        inst["meta"] = meta.dump()

    def raise_event(self, instance_id: str, name: str, body_text: str | None) -> str:
        """Returns 'ok', 'missing' or 'gone' (not running)."""
        with self.store.transaction():
            inst = self._live(instance_id)
            if isinstance(inst, str):
                return inst
            ev = event(EventType.EVENT_RAISED, fmt(utcnow()), Name=name, Input=body_text)
            self.store.enqueue_event(instance_id, dumps(ev))
        self.effects.instances.add(instance_id)
        return "ok"

    def terminate(self, instance_id: str, reason: str) -> str:
        with self.store.transaction():
            inst = self._live(instance_id)
            if isinstance(inst, str):
                return inst
            ts = fmt(utcnow())
            self._append(inst, event(EventType.EXECUTION_TERMINATED, ts, Input=reason))
            self.store.clear_inbox(instance_id)
            self.finish(inst, "Terminated", json.dumps(reason), ts)
        return "ok"

    def set_suspended(self, instance_id: str, suspend: bool, reason: str) -> str:
        with self.store.transaction():
            inst = self._live(instance_id)
            if isinstance(inst, str):
                return inst
            ts = fmt(utcnow())
            kind = EventType.EXECUTION_SUSPENDED if suspend else EventType.EXECUTION_RESUMED
            self._append(inst, event(kind, ts, Reason=reason))
            started = Meta.load(inst["meta"]).last_ts
            inst.update(updated_at=ts, status="Suspended" if suspend else ("Running" if started else "Pending"))
            self.store.put_instance(inst)
        if not suspend:
            self.effects.instances.add(instance_id)
        return "ok"

    def purge(self, instance_id: str) -> str:
        with self.store.transaction():
            inst = self.store.get_instance(instance_id)
            if inst is None:
                return "missing"
            if inst["status"] not in TERMINAL:
                return "running"
            self.store.delete_instance(instance_id)
            self._history.pop(instance_id, None)
        return "ok"

    def signal_entity(self, name: str, key: str, operation: str, body_text: str | None) -> None:
        with self.store.transaction():
            input_text = body_text if body_text else json.dumps("null")
            self.entity_operation(f"@{name.lower()}@{key}", operation, input_text, True,
                                  request_id=str(uuid.uuid4()), caller=None, caller_execution=None)

    def recover(self) -> None:
        """After a restart: everything unfinished becomes work again (activities run at least once)."""
        self.effects.tasks.extend(self.store.all_tasks())
        for timer in self.store.all_timers():
            self.effects.timers.append((timer["id"], timer["fire_at"]))
        self.effects.instances.update(self.store.instances_with_events())
        self.effects.entities.update(self.store.entities_with_ops())
