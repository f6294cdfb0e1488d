"""An in-memory Key Vault speaking the secrets REST API to the real ``SecretClient``, through a
``requests`` adapter plugged into azure-core's ``RequestsTransport`` (no emulator exists).

It enforces the bearer-challenge handshake and soft-delete (a deleted name answers 409 to a
set until it is recovered), and records every request so tests can scan them for secrets.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlparse

import requests
from requests.adapters import BaseAdapter
from urllib3.response import HTTPResponse

CHALLENGE = ('Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", '
             'resource="https://vault.azure.net"')


class FakeVault(BaseAdapter):
    def __init__(self, vault_url: str) -> None:
        super().__init__()
        self.vault_url = vault_url.rstrip("/")
        self.secrets: dict[str, str] = {}
        self.deleted: dict[str, str] = {}
        self.requests: list[requests.PreparedRequest] = []

    def _bundle(self, name: str, value: str | None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"id": f"{self.vault_url}/secrets/{name}/v1", "attributes": {"enabled": True}}
        if value is not None:
            bundle["value"] = value
        return bundle

    def _route(self, method: str, parts: list[str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        kind, name = parts[0], parts[1]
        if kind == "secrets" and method == "PUT":
            if name in self.deleted:
                return 409, {"error": {"code": "Conflict", "message": "deleted but recoverable state"}}
            self.secrets[name] = body["value"]
            return 200, self._bundle(name, body["value"])
        if kind == "secrets" and method == "GET" and name in self.secrets:
            return 200, self._bundle(name, self.secrets[name])
        if kind == "secrets" and method == "DELETE" and name in self.secrets:
            self.deleted[name] = self.secrets.pop(name)
            return 200, {**self._bundle(name, None), "recoveryId": f"{self.vault_url}/deletedsecrets/{name}"}
        if kind == "deletedsecrets" and method == "GET" and name in self.deleted:
            return 200, {**self._bundle(name, None), "recoveryId": f"{self.vault_url}/deletedsecrets/{name}"}
        if kind == "deletedsecrets" and method == "POST" and name in self.deleted:
            self.secrets[name] = self.deleted.pop(name)
            return 200, self._bundle(name, None)
        return 404, {"error": {"code": "SecretNotFound", "message": f"{name} not found"}}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.requests.append(request)
        if "Authorization" not in request.headers:
            status, body, headers = 401, {"error": {"code": "Unauthorized"}}, {"WWW-Authenticate": CHALLENGE}
        else:
            parts = [p for p in urlparse(request.url).path.split("/") if p]
            payload = json.loads(request.body) if request.body else {}
            status, body = self._route(request.method or "GET", parts, payload)
            headers = {}
        content = json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json", "Content-Length": str(len(content)), **headers}
        response = requests.Response()
        response.status_code = status
        response.raw = HTTPResponse(body=io.BytesIO(content), headers=all_headers, status=status,
                                    preload_content=False)
        response.headers.update(all_headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


class FakeCredential:
    """A token credential that hands out a fixed token (DefaultAzureCredential's place)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("fake-token", 4_102_444_800)
