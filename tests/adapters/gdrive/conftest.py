"""Drive test driver: recorded fixtures, a respx router, a throwaway service-account key, no real sleeps."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.gdrive.adapter import DriveAdapter
from adapters.http.oauth import OAuthToken
from adapters.http.session import HttpOptions
from adapters.registry import build_adapter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "gdrive"
TOKEN_URL = "https://oauth2.googleapis.com/token"
HOST = "www.googleapis.com"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SA_EMAIL = "castiel-sync@project-1.iam.gserviceaccount.com"


@cache
def private_key() -> rsa.RSAPrivateKey:
    """A test-only RSA key (generated, never a real credential)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem() -> str:
    return (
        private_key()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


def load(name: str) -> dict:
    """A recorded Drive body."""
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
        return self.router.route(method=method, host=HOST, path="/drive/v3" + path)

    def adapter(self, key: str | None = None, **overrides: object) -> DriveAdapter:
        """A DriveAdapter built the way the engine builds it: connection + stored service-account credential."""
        credential = {
            "type": "jwt_bearer",
            "issuer": SA_EMAIL,
            "subject": "admin@example.com",
            "privateKey": key or private_pem(),
            "keyId": "kid-1",
            "tokenUrl": TOKEN_URL,
        }
        options = HttpOptions(sleep=self._sleep, clock=lambda: NOW)
        adapter = build_adapter(
            "gdrive",
            dict(overrides),
            credential,
            on_token=self._on_token,
            options=options,
            transport=httpx.MockTransport(self.router.async_handler),
        )
        assert isinstance(adapter, DriveAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    # A router served through MockTransport: no global patching, no TLS setup per client.
    yield Harness(respx.MockRouter(assert_all_mocked=True, assert_all_called=False))
