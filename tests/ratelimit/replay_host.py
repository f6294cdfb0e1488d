"""A small replaying orchestration host for the throttle tests (durable-protocol.md §2).

It runs real SDK orchestrators episode by episode on a simulated clock: one new completion event
per episode, the whole history replayed each time, entity calls answered by ``EntityHost`` (the
real entity function) with the EventSent/EventRaised pair, timers fired at their ``fireAt``.
Enough of a host to exercise ``orchestrators.throttle`` deterministically, nothing more.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.ratelimit.entity_host import EntityHost

CALL_ENTITY, SIGNAL_ENTITY, CREATE_TIMER = 7, 9, 5


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _event(event_type: int, when: datetime, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": event_type, "EventId": event_id, "IsPlayed": False, "Timestamp": _ts(when), **fields}


@dataclass
class Instance:
    instance_id: str
    input_text: str
    history: list[dict[str, Any]] = field(default_factory=list)
    actions_seen: int = 0
    output: Any = None
    done: bool = False


@dataclass
class ReplayHost:
    """Runs orchestrations of one orchestrator callable against an ``EntityHost``."""

    orchestrator: Callable[..., str]
    entities: EntityHost
    entity_latency: timedelta = timedelta(milliseconds=1)
    instances: dict[str, Instance] = field(default_factory=dict)
    _queue: list[tuple[datetime, int, str, dict[str, Any]]] = field(default_factory=list)
    _seq: itertools.count = field(default_factory=itertools.count)
    episodes: int = 0

    def start(self, instance_id: str, payload: Any, when: datetime) -> None:
        """Schedule a new instance; it runs when ``run`` reaches ``when``."""
        text = json.dumps(payload)
        started = _event(0, when, Name="o", Version="", Input=text,
                         OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": "e1"})
        self.instances[instance_id] = Instance(instance_id, text)
        self._push(when, instance_id, started)

    def _push(self, when: datetime, instance_id: str, event: dict[str, Any]) -> None:
        heapq.heappush(self._queue, (when, next(self._seq), instance_id, event))

    def run(self, max_episodes: int = 10_000) -> None:
        """Deliver events in time order until every instance completes."""
        while self._queue:
            when, _, instance_id, event = heapq.heappop(self._queue)
            self._episode(self.instances[instance_id], when, event)
            self.episodes += 1
            assert self.episodes <= max_episodes, "runaway orchestration"

    def _episode(self, inst: Instance, when: datetime, event: dict[str, Any]) -> None:
        inst.history += [_event(12, when), event]
        context = {"history": inst.history, "input": inst.input_text, "instanceId": inst.instance_id,
                   "isReplaying": False, "parentInstanceId": None, "upperSchemaVersion": 1}
        state = json.loads(self.orchestrator(context=json.dumps(context)))
        actions = state["actions"][0] if state["actions"] else []
        for action_id in range(inst.actions_seen, len(actions)):
            self._schedule(inst, when, action_id, actions[action_id])
        inst.actions_seen = len(actions)
        if state["isDone"]:
            inst.done, inst.output = True, state.get("output")

    def _schedule(self, inst: Instance, when: datetime, action_id: int, action: dict[str, Any]) -> None:
        kind = action["actionType"]
        if kind == CREATE_TIMER:
            fire_at = datetime.fromisoformat(action["fireAt"].replace("Z", "+00:00"))
            inst.history.append(_event(10, when, action_id, FireAt=action["fireAt"]))
            self._push(max(fire_at, when), inst.instance_id, _event(11, fire_at, TimerId=action_id))
            return
        assert kind in (CALL_ENTITY, SIGNAL_ENTITY), action
        key = action["instanceId"].split("@", 2)[2]
        request_id = f"{inst.instance_id}-{action_id}"
        sent = json.dumps({"op": action["operation"], "id": request_id, "signal": kind == SIGNAL_ENTITY})
        inst.history.append(_event(14, when, action_id, InstanceId=action["instanceId"],
                                   Name=action["operation"], Input=sent))
        # The orchestrator's call_entity input is JSON text; the host hands it on as such.
        (result,) = self.entities.run(key, [(action["operation"], json.loads(action["input"]))])
        if kind == CALL_ENTITY:
            reply: dict[str, Any] = {"result": json.dumps(result.value)}
            if result.is_error:
                reply["exceptionType"] = "Error"
            self._push(when + self.entity_latency, inst.instance_id,
                       _event(15, when + self.entity_latency, Name=request_id, Input=json.dumps(reply)))
