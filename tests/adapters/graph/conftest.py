"""Graph test driver: recorded fixtures, a respx router, an adapter wired to both, no real sleeps."""

from collections.abc import Iterator

import pytest

from adapters.graph.adapter import GraphAdapter
from tests.adapters.recorded import NOW, RecordedHarness, new_router, recorded

__all__ = ["BASE", "CHANNEL", "CHAT", "NOW", "TEAM", "Harness", "load", "reply"]
TOKEN_URL = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
BASE = "https://graph.microsoft.com/v1.0"
TEAM = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
CHANNEL = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
CHAT = "19:2da4c29f6d7041eca70b638b43d45437@thread.v2"
load, reply = recorded("graph")


class Harness(RecordedHarness):
    provider, token_url, host, prefix = "graph", TOKEN_URL, "graph.microsoft.com", "/v1.0"
    rate_limits: dict | None = None

    def adapter(self, **overrides: str | None) -> GraphAdapter:
        connection = {"tenantId": "tenant-1", "driveId": "b!drive1", "teamId": TEAM, "channelId": CHANNEL,
                      "chatId": CHAT, **overrides}
        credential = {"type": "oauth2_client_credentials", "clientId": "app-1", "clientSecret": "s3cret",
                      "tokenUrl": TOKEN_URL}
        adapter = self.build(connection, credential, rate_limits=self.rate_limits)
        assert isinstance(adapter, GraphAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield Harness(new_router())
