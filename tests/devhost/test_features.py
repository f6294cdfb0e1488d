"""devhost features beyond the sample patterns: retries, failures, control operations, HTTP, timers."""

from __future__ import annotations

import json
import time

import httpx

from tests.conftest import wait_for, wait_status
from tests.devhost.conftest import KEY, Samples

MGMT = "/runtime/webhooks/durabletask"


def test_retry_until_success_counts_attempts(samples: Samples) -> None:
    iid = samples.start("with_retry", {"key": "r-ok", "fail_times": 2})
    status = wait_status(samples.client, iid)
    assert status["output"] == "ok after 3"
    history = samples.client.get(f"{MGMT}/instances/{iid}", params={"showHistory": "true"}).json()["historyEvents"]
    assert [e["EventType"] for e in history].count("TaskFailed") == 2
    assert [e["EventType"] for e in history].count("TaskCompleted") == 1


def test_retry_exhausted_fails_with_last_error(samples: Samples) -> None:
    iid = samples.start("with_retry", {"key": "r-bad", "fail_times": 5})
    status = wait_status(samples.client, iid)
    assert status["runtimeStatus"] == "Failed"
    assert "flaky attempt 3" in status["output"]
    assert (samples.marks / "flaky-r-bad").read_text() == "3"


def test_activity_failure_propagates_to_orchestration(samples: Samples) -> None:
    iid = samples.start("failing")
    status = wait_status(samples.client, iid)
    assert status["runtimeStatus"] == "Failed"
    assert "flaky attempt 1" in status["output"]


def test_nondeterminism_is_detected(samples: Samples) -> None:
    (samples.marks / "nd").write_text("say_hello")
    iid = samples.start("nondeterministic")
    wait_for(lambda: samples.client.get(f"{MGMT}/instances/{iid}", params={"showHistory": "true"})
             .json().get("historyEvents") and any(e["EventType"] == "TaskCompleted" for e in samples.client.get(
                 f"{MGMT}/instances/{iid}", params={"showHistory": "true"}).json()["historyEvents"]))
    (samples.marks / "nd").write_text("double")  # the replay now schedules a different activity
    samples.client.post(f"{MGMT}/instances/{iid}/raiseEvent/go", json=1)
    status = wait_status(samples.client, iid)
    assert status["runtimeStatus"] == "Failed"
    assert "Non-deterministic" in status["output"]


def test_external_event_payload_arrives_as_the_sdk_sends_it(samples: Samples) -> None:
    iid = samples.start("waiter")
    r = samples.client.post(f"/api/client/{iid}/raise", params={"name": "go"}, json={"a": 1})
    assert r.status_code == 202
    # the SDK client double-encodes (azure-functions-durable-python#295): the orchestrator gets JSON text
    assert json.loads(wait_status(samples.client, iid)["output"]) == {"a": 1}


def test_raise_event_unknown_and_finished_instances(samples: Samples) -> None:
    assert samples.client.post(f"{MGMT}/instances/nope/raiseEvent/go", json=1).status_code == 404
    iid = samples.start("chaining")
    wait_status(samples.client, iid)
    assert samples.client.post(f"{MGMT}/instances/{iid}/raiseEvent/go", json=1).status_code == 410


def test_suspend_resume_terminate(samples: Samples) -> None:
    iid = samples.start("waiter")
    assert samples.client.post(f"{MGMT}/instances/{iid}/suspend", params={"reason": "x"}).status_code == 202
    wait_status(samples.client, iid, ("Suspended",))
    samples.client.post(f"{MGMT}/instances/{iid}/raiseEvent/go", json="held")
    time.sleep(0.3)
    assert samples.client.get(f"{MGMT}/instances/{iid}").json()["runtimeStatus"] == "Suspended"
    assert samples.client.post(f"{MGMT}/instances/{iid}/resume").status_code == 202
    assert wait_status(samples.client, iid)["output"] == "held"

    iid2 = samples.start("waiter")
    assert samples.client.post(f"/api/client/{iid2}/terminate").status_code == 202
    status = wait_status(samples.client, iid2, ("Terminated",))
    assert status["output"] == "by test"
    assert samples.client.post(f"{MGMT}/instances/{iid2}/terminate").status_code == 410


def test_duplicate_start_of_running_instance_is_rejected(samples: Samples) -> None:
    iid = samples.start("waiter", instance_id="dup-1")
    r = samples.client.post(f"{MGMT}/orchestrators/waiter/{iid}")
    assert r.status_code == 409
    samples.client.post(f"{MGMT}/instances/{iid}/terminate")
    wait_status(samples.client, iid, ("Terminated",))
    assert samples.client.post(f"{MGMT}/orchestrators/waiter/{iid}").status_code == 202  # terminal: restartable


def test_start_unknown_orchestrator_is_400(samples: Samples) -> None:
    r = samples.client.post(f"{MGMT}/orchestrators/does_not_exist")
    assert r.status_code == 400
    assert "does_not_exist" in r.json()["ExceptionMessage"]


def test_status_list_filter_and_purge(samples: Samples) -> None:
    iid = samples.start("chaining", instance_id="purge-me")
    wait_status(samples.client, iid)
    listed = samples.client.get(f"{MGMT}/instances", params={"instanceIdPrefix": "purge-",
                                                             "runtimeStatus": "Completed"}).json()
    assert [s["instanceId"] for s in listed] == ["purge-me"]
    page = samples.client.get(f"{MGMT}/instances", params={"top": "1"})
    assert len(page.json()) == 1 and page.headers.get("x-ms-continuation-token") == "1"
    assert samples.client.post("/api/client/purge-me/purge").json() == {"deleted": 1}
    assert samples.client.get(f"{MGMT}/instances/purge-me").status_code == 404
    assert samples.client.delete(f"{MGMT}/instances/purge-me").status_code == 404


def test_running_status_is_202_with_location(samples: Samples) -> None:
    iid = samples.start("waiter")
    r = samples.client.get(f"{MGMT}/instances/{iid}")
    assert r.status_code == 202 and "Location" in r.headers
    samples.client.post(f"{MGMT}/instances/{iid}/terminate")


def test_check_status_urls_work_with_a_plain_http_client(samples: Samples) -> None:
    r = samples.client.post("/api/orchestrators/chaining")
    urls = r.json()
    assert r.headers["Location"] == urls["statusQueryGetUri"]
    assert f"code={KEY}" in urls["statusQueryGetUri"]
    with httpx.Client() as anonymous:  # the key travels in the URL, as in Azure
        wait_for(lambda: anonymous.get(urls["statusQueryGetUri"]).status_code == 200)
        assert anonymous.get(urls["statusQueryGetUri"]).json()["runtimeStatus"] == "Completed"


def test_function_key_is_enforced(samples: Samples) -> None:
    with httpx.Client(base_url=samples.host.url) as anonymous:
        assert anonymous.post("/api/orchestrators/chaining").status_code == 401
        assert anonymous.post("/api/orchestrators/chaining", params={"code": "wrong"}).status_code == 401
        assert anonymous.post("/api/orchestrators/chaining", params={"code": KEY}).status_code == 202
        assert anonymous.get(f"{MGMT}/instances").status_code == 401
        assert anonymous.get("/api/hello/World").status_code == 200  # ANONYMOUS route


def test_route_templates_methods_and_constraints(samples: Samples) -> None:
    r = samples.client.get("/api/hello/World", params={"x": "!"})
    assert (r.status_code, r.text) == (200, "Hello World !")
    assert samples.client.get("/api/hello/123").status_code == 404  # {name:alpha}
    assert samples.client.post("/api/hello/World").status_code == 405
    assert samples.client.get("/api/nothing/here").status_code == 404


def test_call_http_builtin_activity(samples: Samples) -> None:
    iid = samples.start("http_caller", f"{samples.host.url}/api/hello/Durable")
    assert wait_status(samples.client, iid)["output"] == {"status": 200, "content": "Hello Durable"}


def test_timer_trigger_runs_on_startup_and_on_schedule(samples: Samples) -> None:
    ticks = samples.marks / "ticks"
    wait_for(lambda: ticks.exists() and len(ticks.read_text().splitlines()) >= 3, timeout=10)


def test_history_shows_events_and_outputs(samples: Samples) -> None:
    iid = samples.start("chaining")
    wait_status(samples.client, iid)
    body = samples.client.get(f"{MGMT}/instances/{iid}", params={"showHistory": "true",
                                                                 "showHistoryOutput": "true"}).json()
    kinds = [e["EventType"] for e in body["historyEvents"]]
    assert kinds[0] == "ExecutionStarted" and kinds.count("TaskCompleted") == 3
    assert any(e.get("Result") == '"Hello Tokyo!"' for e in body["historyEvents"])


def test_orchestration_clock_and_uuids_are_deterministic_across_replays(samples: Samples) -> None:
    iid = samples.start("deterministic")
    output = wait_status(samples.client, iid)["output"]
    # the values were computed in different episodes and replayed twice; a drift would show as a mismatch
    # in the nondeterminism check or in these values, taken from the final replay
    assert output["first"][0] < output["second"][0]
    assert output["first"][1] != output["second"][1]
    assert output["replaying_at_end"] is False
    history = samples.client.get(f"{MGMT}/instances/{iid}", params={"showHistory": "true"}).json()["historyEvents"]
    assert [e["EventType"] for e in history].count("TaskCompleted") == 2


def test_sub_orchestration_retry_reruns_the_child(samples: Samples) -> None:
    iid = samples.start("child_retry", {"key": "child-r", "fail_times": 2})
    status = wait_status(samples.client, iid, timeout=30)
    assert status["runtimeStatus"] == "Completed" and status["output"] == "ok after 3"
    assert (samples.marks / "flaky-child-r").read_text() == "3"


def test_timer_trigger_reports_past_due_after_downtime(devhost_factory, tmp_path) -> None:
    from tests.devhost.conftest import SAMPLES

    marks = tmp_path / "marks"
    marks.mkdir()
    env = {"SAMPLES_MARKS_DIR": str(marks)}
    host = devhost_factory(SAMPLES, env).start()
    wait_for(lambda: (marks / "ticks").exists() and len((marks / "ticks").read_text().splitlines()) >= 2)
    host.stop()
    time.sleep(2.2)  # the every-second schedule's next run passes while the host is down
    (marks / "ticks").write_text("")
    devhost_factory(SAMPLES, env).start()
    wait_for(lambda: (marks / "ticks").read_text().splitlines()[:1] == ["True"], timeout=10)


def test_monitor_lists_instances_and_shows_history(samples: Samples) -> None:
    iid = samples.start("chaining", instance_id="monitor-me")
    wait_status(samples.client, iid)
    page = samples.client.get("/_devhost/monitor", params={"status": "Completed", "prefix": "monitor-"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "monitor-me" in page.text and "chaining" in page.text
    detail = samples.client.get("/_devhost/monitor/monitor-me")
    assert "Hello Tokyo!" in detail.text and "TaskCompleted" in detail.text
    with httpx.Client(base_url=samples.host.url) as anonymous:
        assert anonymous.get("/_devhost/monitor").status_code == 401
