"""host.json's maxConcurrentActivityFunctions bounds how many activities run at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import DevhostProcess, wait_status

LIMITED = Path(__file__).parent / "apps" / "limited"


def test_activity_concurrency_follows_host_json(devhost_factory: Callable[..., DevhostProcess],
                                                tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    host = devhost_factory(LIMITED, {"SAMPLES_MARKS_DIR": str(marks)}).start()
    with httpx.Client(base_url=host.url, timeout=10) as client:
        r = client.post("/api/orchestrators/probe_fan_out", json="lim")  # started by the SDK client
        status = wait_status(client, r.json()["id"], timeout=30)
    assert status["runtimeStatus"] == "Completed", status["output"]
    seen = [int(x) for x in (marks / "probe-lim.max").read_text().split()]
    assert len(seen) == 12
    assert max(seen) == 3  # never more than the limit, and the limit was reached
