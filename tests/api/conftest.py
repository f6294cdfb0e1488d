"""Drivers for the API tests: services on a temp SQLite dir, an in-process router over the route
blueprints (devhost's own discovery and route matching, no server), and a fake durable client."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import azure.durable_functions as df
import azure.functions as func
import pytest
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from api import credentials, deadletters, integrations, runs, shards, sync
from core.settings import Settings
from devhost.discovery import HttpFunction, build_registry
from devhost.urls import client_binding
from services import Services, use_services
from stores.factory import build_stores

BLUEPRINTS = (integrations.bp, credentials.bp, sync.bp, runs.bp, shards.bp, deadletters.bp)
BASE = "http://127.0.0.1:7071"

INTEGRATION: dict[str, Any] = {
    "provider": "salesforce",
    "displayName": "Acme Salesforce",
    "connection": {"instanceUrl": "https://acme.my.salesforce.com", "apiVersion": "v60.0"},
    "entityMappings": [{
        "externalEntity": "Account",
        "shardTypeId": "account",
        "fieldMappings": [{"source": "Name", "target": "name"},
                          {"source": "AnnualRevenue", "target": "revenue", "transform": "number"}],
    }],
    "syncFrequency": {"type": "interval", "intervalMinutes": 60},
}


class FakeDurableClient(df.DurableOrchestrationClient):
    """A real client (so ``create_check_status_response`` is the SDK's) whose instances live in a dict."""

    def __init__(self) -> None:
        super().__init__(client_binding(BASE, "TestHub", None))
        self.instances: dict[str, dict[str, Any]] = {}
        self.started: list[tuple[str, str | None, Any]] = []

    async def start_new(self, orchestration_function_name: str, instance_id: str | None = None,
                        client_input: Any | None = None, version: str | None = None) -> str:
        instance_id = instance_id or f"auto-{len(self.started)}"
        self.started.append((orchestration_function_name, instance_id, client_input))
        self.set_status(instance_id, "Running", orchestration_function_name)
        return instance_id

    async def get_status(self, instance_id: str, show_history: bool = False,
                         show_history_output: bool = False, show_input: bool = False
                         ) -> DurableOrchestrationStatus:
        return DurableOrchestrationStatus.from_json(self.instances.get(instance_id, ""))

    async def terminate(self, instance_id: str, reason: str) -> None:
        self.set_status(instance_id, "Terminated", self.instances[instance_id]["name"])

    def set_status(self, instance_id: str, status: str, name: str = "sync_integration") -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.instances[instance_id] = {"name": name, "instanceId": instance_id, "runtimeStatus": status,
                                       "createdTime": now, "lastUpdatedTime": now}


class Api:
    """Calls the route functions in-process, as devhost would: matched route, `func.HttpRequest`, kwargs."""

    def __init__(self, routes: list[HttpFunction], client: FakeDurableClient) -> None:
        self.routes = sorted(routes, key=lambda f: -f.route.literal_segments)
        self.client = client

    def find(self, method: str, path: str) -> tuple[HttpFunction, dict[str, str]]:
        for fn in self.routes:
            params = fn.route.match(path)
            if params is not None and (fn.methods is None or method in fn.methods):
                return fn, params
        raise LookupError(f"no route for {method} {path}")

    async def call(self, method: str, path: str, *, json_body: Any = None, body: bytes | None = None,
                   headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> Response:
        fn, route_params = self.find(method, "/api" + path)
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        url = BASE + "/api" + path + ("?" + urlencode(params) if params else "")
        req = func.HttpRequest(method=method, url=url, headers=headers, params=params or {},
                               route_params=route_params, body=body or b"")
        # The SDK wraps client functions to build the client from JSON text; call the user function instead.
        kwargs: dict[str, Any] = {"req": req}
        target = fn.fn
        if fn.client_params:
            target, kwargs["client"] = fn.fn.client_function, self.client  # type: ignore[attr-defined]
        result = target(**kwargs)
        if inspect.isawaitable(result):
            result = await result
        return Response(result)


class Response:
    def __init__(self, raw: func.HttpResponse) -> None:
        self.raw = raw
        self.status = raw.status_code
        self.headers = raw.headers
        self.body = raw.get_body()

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        return str(self.json()["error"]["code"])


_registry: list[HttpFunction] | None = None


def api_routes() -> list[HttpFunction]:
    """The blueprints' HTTP functions, indexed once per process (the SDK indexes an app only once)."""
    global _registry
    if _registry is None:
        app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
        for bp in BLUEPRINTS:
            app.register_functions(bp)
        _registry = build_registry(app, "api").http
    return _registry


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "data", credential_lease_wait_seconds=2.0)
    built = Services(settings=settings, stores=build_stores(settings))
    use_services(built)
    yield built
    use_services(None)
    built.stores.close()


@pytest.fixture
def durable() -> FakeDurableClient:
    return FakeDurableClient()


@pytest.fixture
def api(services: Services, durable: FakeDurableClient) -> Api:
    return Api(api_routes(), durable)
