"""SIGKILL of devhost mid-orchestration, then a restart on the same task hub: nothing lost, nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import DevhostProcess, wait_for, wait_status
from tests.devhost.conftest import SAMPLES

MGMT = "/runtime/webhooks/durabletask"


def _history(client: httpx.Client, iid: str) -> list[dict]:
    return client.get(f"{MGMT}/instances/{iid}", params={"showHistory": "true"}).json().get("historyEvents") or []


def test_sigkill_during_a_durable_timer(devhost_factory: Callable[..., DevhostProcess], tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {"SAMPLES_MARKS_DIR": str(marks)}
    host = devhost_factory(SAMPLES, env).start()
    with httpx.Client(base_url=host.url, timeout=10) as client:
        r = client.post(f"{MGMT}/orchestrators/crash_timer/ct-1", json=2)
        assert r.status_code == 202
        wait_for(lambda: any(e["EventType"] == "TimerCreated" for e in _history(client, "ct-1")))
    host.kill()

    restarted = devhost_factory(SAMPLES, env).start()
    with httpx.Client(base_url=restarted.url, timeout=10) as client:
        status = wait_status(client, "ct-1", timeout=20)
    assert status["runtimeStatus"] == "Completed" and status["output"] == "survived"
    assert (marks / "mark-ct-1-before").read_text() == "x\n"
    assert (marks / "mark-ct-1-after").read_text() == "x\n"


def test_sigkill_during_a_fan_out(devhost_factory: Callable[..., DevhostProcess], tmp_path: Path) -> None:
    host = devhost_factory(SAMPLES).start()
    n = 300
    with httpx.Client(base_url=host.url, timeout=10) as client:
        assert client.post(f"{MGMT}/orchestrators/crash_fan_out/cf-1", json=n).status_code == 202

        def some_done() -> bool:
            done = sum(1 for e in _history(client, "cf-1") if e["EventType"] == "TaskCompleted")
            return 20 < done < n

        wait_for(some_done, interval=0.02)
    host.kill()

    restarted = devhost_factory(SAMPLES).start()
    with httpx.Client(base_url=restarted.url, timeout=10) as client:
        status = wait_status(client, "cf-1", timeout=30)
        assert status["runtimeStatus"] == "Completed" and status["output"] == n
        history = _history(client, "cf-1")
    completed = [e["TaskScheduledId"] for e in history if e["EventType"] == "TaskCompleted"]
    assert sorted(completed) == list(range(n))  # every task completed exactly once in the history
    assert sum(1 for e in history if e["EventType"] == "TaskScheduled") == n


def test_sigterm_stops_cleanly(devhost_factory: Callable[..., DevhostProcess]) -> None:
    host = devhost_factory(SAMPLES).start()
    assert host.stop() == 0
    assert "stopping" in host.log()


def test_misconfigured_app_gives_a_clear_error(tmp_path: Path, devhost_factory: Callable[..., DevhostProcess]) -> None:
    app = tmp_path / "badapp"
    app.mkdir()
    (app / "host.json").write_text('{"version": "2.0"}')
    (app / "function_app.py").write_text(
        "import azure.durable_functions as df\n"
        "app = df.DFApp()\n"
        "@app.orchestration_trigger(context_name='ctx')\n"
        "def orch(ctx):\n    yield None\n"
    )
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "devhost", str(app), "--port", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "must be named 'context'" in result.stderr
