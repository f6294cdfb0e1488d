"""The shared driver of the adapter tests that serve recorded provider bodies through a respx router.

Each provider's ``conftest.py`` names its fixtures folder, token URL, API host and path prefix, and how the
engine would build its adapter; serving, scripting, token capture and sleep capture live here once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import httpx
import respx

from adapters.http.oauth import OAuthToken
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
Reply = Callable[..., httpx.Response]


def recorded(provider: str) -> tuple[Callable[[str], dict], Reply]:
    """``load(name)`` and ``reply(status, name=None, headers=None)`` over ``fixtures/<provider>``."""
    folder = FIXTURES / provider

    def load(name: str) -> dict:
        return json.loads((folder / name).read_text())

    def reply(status: int, name: str | None = None, headers: dict | None = None) -> httpx.Response:
        if name is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=load(name), headers=headers)

    return load, reply


class RecordedHarness:
    """An adapter wired to a respx router, plus what tests observe: sleeps and issued tokens."""

    provider: ClassVar[str]
    token_url: ClassVar[str | None] = None
    host: ClassVar[str]
    prefix: ClassVar[str] = ""

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router
        self.sleeps: list[float] = []
        self.tokens: list[OAuthToken] = []
        _, self.reply = recorded(self.provider)
        if self.token_url is not None:
            self.token_route = router.post(self.token_url)
            self.token_route.side_effect = [self.reply(200, "token.json"), self.reply(200, "token_refreshed.json")]

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
        return self.router.route(method=method, host=self.host, path=self.prefix + path)

    def build(self, connection: dict[str, Any], credential: dict[str, Any], **kwargs: Any) -> Any:
        """The adapter built the way the engine builds it: connection + stored credential."""
        return build_adapter(
            self.provider, connection, credential,
            on_token=self._on_token if self.token_url else None,
            options=HttpOptions(sleep=self._sleep, clock=lambda: NOW),
            transport=httpx.MockTransport(self.router.async_handler),
            **kwargs,
        )


def new_router() -> respx.MockRouter:
    # A router served through MockTransport: no global patching, no TLS setup per client.
    return respx.MockRouter(assert_all_mocked=True, assert_all_called=False)
