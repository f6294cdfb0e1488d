"""Test support for adapter tests: JSON fixtures and a routing MockTransport that records requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).parent / "fixtures"

Responder = httpx.Response | Callable[[httpx.Request], httpx.Response]


def fixture(provider: str, name: str) -> Any:
    """A provider-shaped JSON fixture from ``tests/adapters/fixtures/<provider>/<name>``."""
    return json.loads((FIXTURES / provider / name).read_text())


def reply(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON response (``body=None`` gives an empty body)."""
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class Route:
    method: str
    match: Callable[[httpx.Request], bool]
    responses: list[Responder]


@dataclass
class FakeApi:
    """Routes by method and a predicate; each route answers its responses in order, the last one repeats."""

    routes: list[Route] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, match: str | Callable[[httpx.Request], bool], *responses: Responder) -> FakeApi:
        """Add a route; a string ``match`` is a substring of the URL path (and query)."""
        if isinstance(match, str):
            needle = match
            predicate: Callable[[httpx.Request], bool] = lambda r: needle in str(r.url)  # noqa: E731
        else:
            predicate = match
        self.routes.append(Route(method, predicate, list(responses)))
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for route in self.routes:
            if route.method == request.method and route.match(request):
                item = route.responses.pop(0) if len(route.responses) > 1 else route.responses[0]
                return item(request) if callable(item) else item
        return httpx.Response(599, text=f"no route for {request.method} {request.url}")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def sent(self, method: str | None = None) -> list[httpx.Request]:
        return [r for r in self.requests if method is None or r.method == method]


@dataclass
class Sleeps:
    """Records the waits the retry policy asked for, instead of sleeping."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
