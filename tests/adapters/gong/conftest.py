"""Gong test driver: recorded fixtures, a respx router behind MockTransport, no real sleeps."""

from collections.abc import Iterator

import pytest

from adapters.gong.adapter import GongAdapter
from tests.adapters.recorded import NOW, RecordedHarness, new_router, recorded

__all__ = ["NOW", "Harness", "load", "reply"]
HOST = "us-12345.api.gong.io"
load, reply = recorded("gong")


class Harness(RecordedHarness):
    provider, host = "gong", HOST

    def adapter(self, **overrides: object) -> GongAdapter:
        adapter = self.build({"baseUrl": f"https://{HOST}", **overrides},
                             {"type": "basic", "username": "GONG-ACCESS-KEY", "password": "gong-secret"})
        assert isinstance(adapter, GongAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield Harness(new_router())
