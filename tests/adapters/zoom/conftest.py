"""Zoom test driver: recorded fixtures, a respx router, an adapter wired to both, no real sleeps."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from adapters.http.oauth import OAuthToken
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter
from adapters.zoom.adapter import ZoomAdapter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "zoom"
TOKEN_URL = "https://zoom.us/oauth/token"
HOST = "api.zoom.us"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def load(name: str) -> dict:
    """A recorded Zoom body."""
    return json.loads((FIXTURES / name).read_text())


def reply(status: int, name: str | None = None, headers: dict | None = None) -> httpx.Response:
    """A response serving a fixture (or an empty body)."""
    if name is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=load(name), headers=headers)


class Harness:
    """The adapter plus what the tests observe: sleeps and issued tokens."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router
        self.sleeps: list[float] = []
        self.tokens: list[OAuthToken] = []
        self.token_route = router.post(TOKEN_URL)
        self.token_route.side_effect = [reply(200, "token.json"), reply(200, "token_refreshed.json")]

    @staticmethod
    def script(route: respx.Route, *responses: httpx.Response) -> list[str]:
        """Serve ``responses`` in order; the list fills with each request's Authorization as sent."""
        seen: list[str] = []
        queue = list(responses)

        def serve(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers.get("Authorization", ""))
            return queue.pop(0)

        route.side_effect = serve
        return seen

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def _on_token(self, token: OAuthToken) -> None:
        self.tokens.append(token)

    def route(self, method: str, path: str) -> respx.Route:
        return self.router.route(method=method, host=HOST, path="/v2" + path)

    def adapter(self, **overrides: object) -> ZoomAdapter:
        """A ZoomAdapter built the way the engine builds it: connection + stored credential."""
        connection = {"accountId": "Cx3wERazSgup7ZWRHQM8-w", **overrides}
        credential = {
            "type": "oauth2_client_credentials",
            "clientId": "zoom-client",
            "clientSecret": "zoom-secret",
            "tokenUrl": TOKEN_URL,
        }
        options = HttpOptions(sleep=self._sleep, clock=lambda: NOW)
        adapter = build_adapter(
            "zoom",
            connection,
            credential,
            on_token=self._on_token,
            options=options,
            transport=httpx.MockTransport(self.router.async_handler),
        )
        assert isinstance(adapter, ZoomAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    # A router served through MockTransport: no global patching, no TLS setup per client.
    yield Harness(respx.MockRouter(assert_all_mocked=True, assert_all_called=False))
