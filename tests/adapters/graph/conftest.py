"""Graph test driver: recorded fixtures, a respx router, an adapter wired to both, no real sleeps."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from adapters.graph.adapter import GraphAdapter
from adapters.http.oauth import OAuthToken
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "graph"
TOKEN_URL = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
BASE = "https://graph.microsoft.com/v1.0"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TEAM = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
CHANNEL = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
CHAT = "19:2da4c29f6d7041eca70b638b43d45437@thread.v2"


def load(name: str) -> dict:
    """A recorded Graph body."""
    return json.loads((FIXTURES / name).read_text())


def reply(status: int, name: str | None = None, headers: dict | None = None) -> httpx.Response:
    """A response serving a fixture (or an empty body)."""
    if name is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=load(name), headers=headers)


class Harness:
    """The adapter plus what the tests observe: sleeps and persisted tokens."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router
        self.sleeps: list[float] = []
        self.tokens: list[OAuthToken] = []
        self.rate_limits: dict | None = None
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

    def adapter(self, **overrides: str | None) -> GraphAdapter:
        """A GraphAdapter built the way the engine builds it: connection + stored credential."""
        connection = {
            "tenantId": "tenant-1",
            "driveId": "b!drive1",
            "teamId": TEAM,
            "channelId": CHANNEL,
            "chatId": CHAT,
            **overrides,
        }
        credential = {
            "type": "oauth2_client_credentials",
            "clientId": "app-1",
            "clientSecret": "s3cret",
            "tokenUrl": TOKEN_URL,
        }
        options = HttpOptions(sleep=self._sleep, clock=lambda: NOW)
        adapter = build_adapter(
            "graph",
            connection,
            credential,
            on_token=self._on_token,
            options=options,
            transport=httpx.MockTransport(self.router.async_handler),
            rate_limits=self.rate_limits,
        )
        assert isinstance(adapter, GraphAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    # A router served through MockTransport: no global patching, no TLS setup per client.
    yield Harness(respx.MockRouter(assert_all_mocked=True, assert_all_called=False))
