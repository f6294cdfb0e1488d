"""Benchmark of devhost: sequential activities, a 1,000-activity fan-out, one-activity latency, memory.

Run: `make bench` or `.venv/bin/python bench/devhost.py`. Starts devhost on a free port with a fresh task hub
and drives it over HTTP from this process, as a client would.
Targets (2 cores): >= 100 sequential activities/s, 1,000-activity fan-out < 5 s, p50 latency < 20 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import DevhostProcess  # noqa: E402  (the shared process driver)

APP = Path(__file__).parent / "devhost_app"
MGMT = "/runtime/webhooks/durabletask"


def run(client: httpx.Client, name: str, payload: int | None, poll: float = 0.002) -> tuple[float, dict]:
    started = time.perf_counter()
    r = client.post(f"{MGMT}/orchestrators/{name}", json=payload)
    r.raise_for_status()
    url = f"{MGMT}/instances/{r.json()['id']}"
    while True:
        status = client.get(url, params={"showInput": "false"})
        if status.status_code == 200:
            return time.perf_counter() - started, status.json()
        time.sleep(poll)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        host = DevhostProcess(APP, Path(tmp) / "hub").start()
        try:
            with httpx.Client(base_url=host.url, timeout=60) as client:
                run(client, "single", None)  # warm-up: imports, first episode
                seconds, status = run(client, "sequential", 200)
                assert status["runtimeStatus"] == "Completed" and status["output"] == sum(range(200)), status
                print(f"sequential: 200 activities in {seconds:.2f} s = {200 / seconds:.0f} activities/s")

                seconds, status = run(client, "fan_out", 1000, poll=0.01)
                assert status["runtimeStatus"] == "Completed" and status["output"] == sum(range(1000)), status
                print(f"fan-out/fan-in: 1000 activities in {seconds:.2f} s = {1000 / seconds:.0f} activities/s")

                latencies = []
                for _ in range(200):
                    seconds, status = run(client, "single", None, poll=0.001)
                    assert status["output"] == 1
                    latencies.append(seconds * 1000)
                latencies.sort()
                p50 = statistics.median(latencies)
                p99 = latencies[int(len(latencies) * 0.99) - 1]
                print(f"one-activity orchestration, start to completion (200 runs): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
            assert host.proc is not None
            print(f"devhost peak memory (VmHWM): {peak_rss_mb(host.proc.pid):.0f} MB")
        finally:
            host.stop()


if __name__ == "__main__":
    main()
