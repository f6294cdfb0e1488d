"""Zoom test driver: recorded fixtures, a respx router, an adapter wired to both, no real sleeps."""

from collections.abc import Iterator

import pytest

from adapters.zoom.adapter import ZoomAdapter
from tests.adapters.recorded import NOW, RecordedHarness, new_router, recorded

__all__ = ["NOW", "Harness", "load", "reply"]
TOKEN_URL = "https://zoom.us/oauth/token"
load, reply = recorded("zoom")


class Harness(RecordedHarness):
    provider, token_url, host, prefix = "zoom", TOKEN_URL, "api.zoom.us", "/v2"

    def adapter(self, **overrides: object) -> ZoomAdapter:
        adapter = self.build(
            {"accountId": "Cx3wERazSgup7ZWRHQM8-w", **overrides},
            {"type": "oauth2_client_credentials", "clientId": "zoom-client", "clientSecret": "zoom-secret",
             "tokenUrl": TOKEN_URL},
        )
        assert isinstance(adapter, ZoomAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield Harness(new_router())
