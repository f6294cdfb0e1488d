"""Durable entities: queued operations run in serial batches, state persisted, results routed to callers.

The batch input mirrors the extension's `EntityContextToString`; each operation's `input` is JSON text of
JSON text (the double encoding the SDK decodes twice). A call's result goes back to the calling
orchestration as `EventRaised{Name: <request id>, Input: {"result": ...}}`.
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import TYPE_CHECKING, Any

import azure.functions as func

from .history import EventType, dumps, event, fmt, utcnow

if TYPE_CHECKING:
    from .engine import Core

log = logging.getLogger("devhost")
BATCH_SIZE = 100


def parse_entity_id(entity_id: str) -> tuple[str, str]:
    """`@name@key` -> (name, key); the key may itself contain '@'."""
    name, _, key = entity_id[1:].partition("@")
    return name.lower(), key


def run_batch(core: Core, entity_id: str) -> bool:
    """Run up to BATCH_SIZE queued operations of one entity; True if more are queued."""
    ops = core.store.entity_ops(entity_id, BATCH_SIZE + 1)
    if not ops:
        return False
    more = len(ops) > BATCH_SIZE
    ops = ops[:BATCH_SIZE]
    name, key = parse_entity_id(entity_id)
    record = core.store.get_entity(entity_id)
    exists = bool(record and record["exists_"])
    state = record["state"] if exists and record else None
    batch = [json.loads(text) for _, text in ops]
    fn = core.registry.entities.get(name)
    now = fmt(utcnow())
    if fn is None:
        results = [{"isError": True, "result": json.dumps(f"The entity function '{name}' does not exist")}
                   for _ in batch]
    else:
        exists, state, results = _invoke(fn, name, key, exists, state, batch)
        core.store.put_entity(entity_id, name, key, exists, state if exists else None, now)
    for op, result in zip(batch, results, strict=False):
        if op.get("isSignal") or not op.get("caller"):
            if result.get("isError"):
                log.warning("entity %s signal '%s' failed: %s", entity_id, op.get("name"), result.get("result"))
            continue
        _respond(core, op, result, now)
    core.store.delete_entity_ops([row for row, _ in ops])
    return more


def _invoke(fn: Any, name: str, key: str, exists: bool, state: str | None,
            batch: list[dict[str, Any]]) -> tuple[bool, str | None, list[dict[str, Any]]]:
    body = json.dumps({
        "self": {"name": name, "key": key},
        "exists": exists,
        "state": state,
        "batch": [{"name": op["name"], "input": op["input"], "isSignal": op["isSignal"], "id": op["id"]}
                  for op in batch],
    })
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = json.loads(fn(context=func.EntityContext(body)))
    except Exception as exc:  # a batch-level failure (e.g. an operation without a name) fails every operation
        message = json.dumps(f"Entity batch failed: {exc}")
        return exists, state, [{"isError": True, "result": message} for _ in batch]
    return bool(out.get("entityExists")), out.get("entityState"), list(out.get("results") or [])


def _respond(core: Core, op: dict[str, Any], result: dict[str, Any], now: str) -> None:
    caller = core.store.get_instance(op["caller"])
    if caller is None or caller["execution_id"] != op.get("callerExecution"):
        return
    payload: dict[str, Any] = {"result": result.get("result")}
    if result.get("isError"):
        payload["exceptionType"] = "Error"
    ev = event(EventType.EVENT_RAISED, now, Name=op["id"], Input=json.dumps(payload))
    core.store.enqueue_event(op["caller"], dumps(ev))
    core.effects.instances.add(op["caller"])
