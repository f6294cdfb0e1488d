"""The Durable SDK's sample patterns, run through devhost over HTTP."""

from __future__ import annotations

import time

from tests.conftest import wait_for, wait_status
from tests.devhost.conftest import Samples


def test_function_chaining(samples: Samples) -> None:
    iid = samples.start("chaining")
    status = wait_status(samples.client, iid)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]


def test_fan_out_fan_in(samples: Samples) -> None:
    iid = samples.start("fan_out", 50)
    status = wait_status(samples.client, iid)
    assert status["output"] == sum(2 * i for i in range(50))


def test_sequence_of_async_activities(samples: Samples) -> None:
    iid = samples.start("sequence", 30)
    assert wait_status(samples.client, iid)["output"] == sum(2 * i for i in range(30))


def test_monitor_with_durable_timers_and_custom_status(samples: Samples) -> None:
    started = time.monotonic()
    iid = samples.start("monitor", 4)
    status = wait_status(samples.client, iid)
    assert status["output"] == 4
    assert status["customStatus"] == {"polls": 4}
    assert time.monotonic() - started >= 0.4  # four 100 ms durable timers really waited


def test_human_interaction_event_wins_and_timer_is_cancelled(samples: Samples) -> None:
    iid = samples.start("approval", 30)
    wait_for(lambda: samples.client.get(f"/runtime/webhooks/durabletask/instances/{iid}").json()["runtimeStatus"]
             == "Running")
    r = samples.client.post(f"/runtime/webhooks/durabletask/instances/{iid}/raiseEvent/Approval", json="yes")
    assert r.status_code == 202
    status = wait_status(samples.client, iid, timeout=10)
    assert status["output"] == {"approved": "yes"}


def test_human_interaction_times_out(samples: Samples) -> None:
    iid = samples.start("approval", 1)
    status = wait_status(samples.client, iid, timeout=10)
    assert status["output"] == {"approved": None, "timedOut": True}


def test_counter_entity_from_orchestration_and_client(samples: Samples) -> None:
    iid = samples.start("counter_user", "c-orch")
    assert wait_status(samples.client, iid)["output"] == 15
    r = samples.client.get("/runtime/webhooks/durabletask/entities/Counter/c-orch")
    assert r.status_code == 200 and r.json() == 15
    # the SDK client's signal_entity and read_entity_state, through an HTTP function
    assert samples.client.post("/api/client/c-client/signal", params={"op": "add", "v": "7"}).status_code == 202
    assert samples.client.post("/api/client/c-client/signal", params={"op": "add", "v": "3"}).status_code == 202

    def state() -> object:
        body = samples.client.get("/api/client/c-client/entity").json()
        return body if body["exists"] and body["state"] == 10 else None

    wait_for(state)
    assert samples.client.get("/runtime/webhooks/durabletask/entities/Counter/missing").status_code == 404


def test_entity_operation_error_reaches_the_caller(samples: Samples) -> None:
    r = samples.client.post("/runtime/webhooks/durabletask/entities/Counter/c-boom?op=boom")
    assert r.status_code == 202
    r = samples.client.post("/runtime/webhooks/durabletask/entities/Counter/c-boom?op=add", content=b'"4"')
    assert r.status_code == 202
    wait_for(lambda: samples.client.get("/runtime/webhooks/durabletask/entities/Counter/c-boom").json() == 4)


def test_eternal_orchestration_continues_as_new_with_bounded_history(samples: Samples) -> None:
    iid = samples.start("eternal", {"generation": 0, "until": 6})
    status = wait_status(samples.client, iid)
    assert status["output"] == {"generation": 6, "until": 6}
    history = samples.client.get(f"/runtime/webhooks/durabletask/instances/{iid}",
                                 params={"showHistory": "true"}).json()["historyEvents"]
    # only the last generation's history is kept
    assert sum(1 for e in history if e["EventType"] == "ExecutionStarted") == 1
    assert len(history) < 12


def test_sub_orchestrations(samples: Samples) -> None:
    iid = samples.start("parent", 4, instance_id="par-1")
    assert wait_status(samples.client, iid)["output"] == 4
    child = samples.client.get("/runtime/webhooks/durabletask/instances/par-1-child-2").json()
    assert child["runtimeStatus"] == "Completed" and child["output"][0] == "Hello Tokyo!"


def test_wait_for_completion_through_the_sdk_client(samples: Samples) -> None:
    r = samples.client.post("/api/wait/fan_out", json=5)
    assert r.status_code == 200
    assert r.json() == 20
