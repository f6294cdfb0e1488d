"""Gong test driver: recorded fixtures, a respx router behind MockTransport, no real sleeps."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from adapters.gong.adapter import GongAdapter
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "gong"
HOST = "us-12345.api.gong.io"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def load(name: str) -> dict:
    """A recorded Gong body."""
    return json.loads((FIXTURES / name).read_text())


def reply(status: int, name: str | None = None, headers: dict | None = None) -> httpx.Response:
    """A response serving a fixture (or an empty body)."""
    if name is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=load(name), headers=headers)


class Harness:
    """The adapter plus the sleeps it asked for."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router
        self.sleeps: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def route(self, method: str, path: str) -> respx.Route:
        return self.router.route(method=method, host=HOST, path=path)

    def adapter(self, **overrides: object) -> GongAdapter:
        """A GongAdapter built the way the engine builds it: connection + stored Basic credential."""
        connection = {"baseUrl": f"https://{HOST}", **overrides}
        credential = {"type": "basic", "username": "GONG-ACCESS-KEY", "password": "gong-secret"}
        options = HttpOptions(sleep=self._sleep, clock=lambda: NOW)
        transport = httpx.MockTransport(self.router.async_handler)
        adapter = build_adapter("gong", connection, credential, options=options, transport=transport)
        assert isinstance(adapter, GongAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield Harness(respx.MockRouter(assert_all_mocked=True, assert_all_called=False))
