"""The repository's own function_app.py on devhost, as `make run` serves it."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.conftest import ROOT, DevhostProcess, wait_status


def test_health_and_example_orchestration(devhost_factory: Callable[..., DevhostProcess]) -> None:
    host = devhost_factory(ROOT, {"DEVHOST_FUNCTION_KEY": "k-1"}).start()
    with httpx.Client(base_url=host.url, timeout=10) as client:
        assert client.get("/api/health").json() == {"status": "ok"}
        assert client.post("/api/orchestrators/hello_sequence").status_code == 401
        r = client.post("/api/orchestrators/hello_sequence", params={"code": "k-1"}, json=["Ada", "Grace"])
        assert r.status_code == 202
        with httpx.Client(base_url=host.url, params={"code": "k-1"}) as keyed:
            status = wait_status(keyed, r.json()["id"])
        assert status["output"] == ["Hello Ada!", "Hello Grace!"]
        bad = client.post("/api/orchestrators/hello_sequence", params={"code": "k-1"}, content=b"{not json")
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "malformed_json"
