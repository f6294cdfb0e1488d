"""FUNCTIONS_WORKER_PROCESS_COUNT above 1: activities run in the language worker processes, results come
back in order, an activity whose worker dies runs again (at least once) instead of being lost, and one that
kills every worker it runs in fails after three instead of reaching the host."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import DevhostProcess, wait_status

APP = Path(__file__).parent / "app"
MGMT = "/runtime/webhooks/durabletask"


def test_activities_run_in_worker_processes(devhost_factory: Callable[..., DevhostProcess]) -> None:
    host = devhost_factory(APP, {"FUNCTIONS_WORKER_PROCESS_COUNT": "3"}).start()
    assert host.proc is not None
    with httpx.Client(base_url=host.url, timeout=10) as client:
        assert client.post(f"{MGMT}/orchestrators/fan_out/f1", json=20).status_code == 202
        status = wait_status(client, "f1", timeout=30)
    assert status["runtimeStatus"] == "Completed"
    results = status["output"]
    assert [n for n, _ in results] == list(range(20)) * 2  # each result in its task's place
    pids = {pid for _, pid in results}
    assert host.proc.pid not in pids and 1 <= len(pids) <= 2  # the two worker processes, not the host


def test_one_process_runs_activities_in_the_host(devhost_factory: Callable[..., DevhostProcess]) -> None:
    host = devhost_factory(APP).start()
    assert host.proc is not None
    with httpx.Client(base_url=host.url, timeout=10) as client:
        assert client.post(f"{MGMT}/orchestrators/fan_out/f2", json=3).status_code == 202
        status = wait_status(client, "f2", timeout=30)
    assert {pid for _, pid in status["output"]} == {host.proc.pid}


def test_an_activity_whose_worker_dies_runs_again(devhost_factory: Callable[..., DevhostProcess],
                                                  tmp_path: Path) -> None:
    host = devhost_factory(APP, {"FUNCTIONS_WORKER_PROCESS_COUNT": "2", "WORKERS_MARKS_DIR": str(tmp_path)}).start()
    assert host.proc is not None
    with httpx.Client(base_url=host.url, timeout=10) as client:
        assert client.post(f"{MGMT}/orchestrators/survives_a_lost_worker/w1").status_code == 202
        status = wait_status(client, "w1", timeout=60)
    assert status["runtimeStatus"] == "Completed"
    assert (tmp_path / "runs-w1").read_text() == "x\nx\n"  # the lost run, then one more


def test_an_activity_that_kills_every_worker_fails_and_the_host_stays_up(
        devhost_factory: Callable[..., DevhostProcess], tmp_path: Path) -> None:
    host = devhost_factory(APP, {"FUNCTIONS_WORKER_PROCESS_COUNT": "2", "WORKERS_MARKS_DIR": str(tmp_path)}).start()
    with httpx.Client(base_url=host.url, timeout=10) as client:
        assert client.post(f"{MGMT}/orchestrators/poisoned/p1").status_code == 202
        status = wait_status(client, "p1", timeout=90)
        assert status["runtimeStatus"] == "Failed"
        assert "worker process was lost" in str(status["output"])
        assert client.get("/api/pid").status_code == 200  # a replaced worker answers; the host never died
    assert host.proc is not None and host.proc.poll() is None
    assert (tmp_path / "runs-p1").read_text() == "x\n" * 3
