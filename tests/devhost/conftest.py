"""A devhost running the sample app, shared by the tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import DevhostProcess

SAMPLES = Path(__file__).parent / "apps" / "samples"
KEY = "test-key-123"


class Samples:
    def __init__(self, host: DevhostProcess, marks: Path) -> None:
        self.host = host
        self.marks = marks
        self.client = httpx.Client(base_url=host.url, timeout=15, headers={"x-functions-key": KEY})

    def start(self, name: str, payload: Any = None, instance_id: str | None = None) -> str:
        path = f"/api/orchestrators/{name}" + (f"/{instance_id}" if instance_id else "")
        r = self.client.post(path, json=payload) if payload is not None else self.client.post(path)
        assert r.status_code == 202, r.text
        return str(r.json()["id"])


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Samples]:
    base = tmp_path_factory.mktemp("samples")
    marks = base / "marks"
    marks.mkdir()
    host = DevhostProcess(SAMPLES, base / "hub", {"SAMPLES_MARKS_DIR": str(marks), "DEVHOST_FUNCTION_KEY": KEY})
    host.start()
    s = Samples(host, marks)
    yield s
    s.client.close()
    assert host.stop() == 0, host.log()[-3000:]
