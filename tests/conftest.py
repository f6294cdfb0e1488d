"""Shared test drivers: a devhost process on a free port, and polling helpers with bounded waits."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
READY = re.compile(r"http://127\.0\.0\.1:(\d+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChildProcess:
    """A server started as a child process; ready once it prints a line with `marker` and its URL."""

    marker = ""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, timeout: float = 30.0) -> Self:
        self.proc = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        ready = threading.Event()

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                if self.marker in line and READY.search(line):
                    ready.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        if not ready.wait(timeout):
            self.kill()
            raise RuntimeError(f"{self.command()[:3]} did not start:\n" + "".join(self.output[-50:]))
        return self

    def stop(self) -> int:
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(5)
        self._close()
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._close()

    def _close(self) -> None:
        if self.proc is not None and self.proc.stdout is not None:
            self._pump.join(5)
            self.proc.stdout.close()

    def log(self) -> str:
        return "".join(self.output)


class DevhostProcess(ChildProcess):
    """`python -m devhost APP_ROOT --port P --data D`."""

    marker = "devhost ready"

    def __init__(self, app_root: Path, data_dir: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.app_root = app_root
        self.data_dir = data_dir

    def command(self) -> list[str]:
        return [sys.executable, "-m", "devhost", str(self.app_root), "--port", str(self.port),
                "--data", str(self.data_dir)]


class SandboxProcess(ChildProcess):
    """`python -m sandbox --port P [options]`: the simulated providers."""

    marker = "sandbox listening"

    def __init__(self, *options: str, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.options = list(options)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "sandbox", "--port", str(self.port), *self.options]


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; return its value or fail with the last value seen."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


def wait_status(client: httpx.Client, instance_id: str, statuses: tuple[str, ...] = ("Completed", "Failed",
                "Terminated"), timeout: float = 20.0) -> dict[str, Any]:
    def poll() -> dict[str, Any] | None:
        r = client.get(f"/runtime/webhooks/durabletask/instances/{instance_id}")
        if r.status_code in (200, 202) and r.json()["runtimeStatus"] in statuses:
            return r.json()
        return None

    return wait_for(poll, timeout)


@pytest.fixture
def devhost_factory(tmp_path: Path) -> Iterator[Callable[..., DevhostProcess]]:
    """Start devhost processes for a test; every one still running is stopped at the end."""
    started: list[DevhostProcess] = []

    def make(app_root: Path, env: dict[str, str] | None = None, data_dir: Path | None = None) -> DevhostProcess:
        host = DevhostProcess(app_root, data_dir or tmp_path / "hub", env)
        started.append(host)
        return host

    yield make
    for host in started:
        host.kill()
