"""Drivers for the credential tests: a service over real stores in a temp dir, and a sandbox process."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.models import Integration
from core.models.credentials import parse_credential
from core.settings import RecordStoreBackend, Settings
from credentials.runtime import build_credential_service, lease_collection
from credentials.service import CredentialService
from sandbox.app import DEFAULT_CLIENTS
from stores.factory import Stores, build_stores
from tests.conftest import ROOT
from tests.stores.conftest import cosmos, cosmos_client  # noqa: F401 - the local Cosmos server fixtures

LISTENING = re.compile(r"sandbox listening on (http://127\.0\.0\.1:\d+)")
TENANT = "acme"


class ManualClock:
    """A settable UTC clock for the service (the sandbox keeps real time)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class SandboxProcess:
    """`python -m sandbox --port 0` as a child process; `admin()` speaks to its /_admin routes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--records", "20", *args],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        ready = threading.Event()
        self.url = ""

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                match = LISTENING.search(line)
                if match:
                    self.url = match.group(1)
                    ready.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        if not ready.wait(20):
            self.stop()
            raise RuntimeError("sandbox did not start:\n" + "".join(self.output))
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, "/_admin" + path, json=body)
        assert response.status_code < 300, response.text
        return response.json()

    def issue(self, provider: str) -> dict[str, Any]:
        return dict(self.admin("POST", "/oauth/tokens", {"provider": provider,
                                                        "client_id": DEFAULT_CLIENTS[provider][0]}))

    def configure(self, **options: Any) -> None:
        self.admin("PATCH", "/options", options)
        self.admin("POST", "/counters/reset")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._pump.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if hasattr(self, "http"):
            self.http.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    process = SandboxProcess()
    yield process
    process.stop()


def oauth_credential(sandbox: SandboxProcess, provider: str, expires_at: datetime | None) -> dict[str, Any]:
    """A fresh token pair from the sandbox as the camelCase credential body of api.md."""
    pair = sandbox.issue(provider)
    client_id, secret = DEFAULT_CLIENTS[provider]
    path = "/services/oauth2/token" if provider == "salesforce" else "/oauth/v1/token"
    body: dict[str, Any] = {"type": "oauth2", "accessToken": pair["access_token"],
                            "refreshToken": pair["refresh_token"], "clientId": client_id,
                            "clientSecret": secret, "tokenUrl": sandbox.url + path}
    if expires_at is not None:
        body["expiresAt"] = expires_at.isoformat()
    return body


def integration_body(sandbox_url: str, provider: str = "salesforce") -> Integration:
    connection = {"instanceUrl": sandbox_url, "apiVersion": "v60.0"} if provider == "salesforce" else {
        "baseUrl": sandbox_url}
    return Integration.model_validate({
        "provider": provider, "connection": connection,
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account", "direction": "pull",
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
    })


class Harness:
    """Real stores (SQLite or Cosmos, local secrets) in a temp dir and services built over them."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None,
                 cosmos_handle: Any = None) -> None:
        self.settings = settings
        self.cosmos_handle = cosmos_handle
        self.stores: Stores = build_stores(settings, cosmos_client=cosmos_handle)
        self.clock: Callable[[], datetime] = clock or ManualClock()

    def service(self, transport: httpx.AsyncBaseTransport | None = None,
                clock: Callable[[], datetime] | None = None) -> CredentialService:
        leases = lease_collection(self.settings, self.cosmos_handle)
        return build_credential_service(self.settings, self.stores, leases, clock=clock or self.clock,
                                        transport=transport)

    def add(self, integration_id: str, credential: dict[str, Any], integration: Integration) -> None:
        self.stores.integrations.put(TENANT, integration_id, integration)
        self.service().save(TENANT, integration_id, parse_credential(credential))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", credential_lease_seconds=30, credential_lease_wait_seconds=30)


@pytest.fixture
def harness(settings: Settings) -> Iterator[Harness]:
    h = Harness(settings)
    yield h
    h.stores.close()


@pytest.fixture(params=["sqlite", "cosmos"])
def any_harness(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Harness]:
    """A harness on each record-store backend (Cosmos: the real client against the local server)."""
    if request.param == "sqlite":
        h = Harness(settings)
    else:
        server = request.getfixturevalue("cosmos")
        cosmos_settings = settings.model_copy(update={
            "record_store": RecordStoreBackend.COSMOS, "cosmos_endpoint": server.endpoint,
            "cosmos_database": f"cred-{uuid.uuid4().hex[:12]}"})
        h = Harness(cosmos_settings, cosmos_handle=request.getfixturevalue("cosmos_client"))
    yield h
    h.stores.close()
