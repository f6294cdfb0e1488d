"""Build a provider adapter from an Integration's ``connection`` and its stored credential.

Each provider package ``adapters/<provider>/`` exposes::

    def build(client: httpx.AsyncClient, connection: dict, *,
              rate_limits: dict | None = None, options: HttpOptions | None = None) -> ProviderAdapter
    def auth_hints(connection: dict) -> AuthHints          # optional: provider defaults for auth

and ``build_adapter`` wires the credential's auth flow into one ``httpx.AsyncClient`` per adapter.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import httpx

from adapters.base import ProviderAdapter
from adapters.http.credentials import AuthHints, auth_for
from adapters.http.oauth import TokenCallback
from adapters.http.session import HttpOptions, utc_now
from core.errors import ConfigError

PROVIDER_PACKAGES: dict[str, str] = {
    "salesforce": "adapters.salesforce",
    "hubspot": "adapters.hubspot",
    "dynamics": "adapters.dynamics",
    "graph": "adapters.graph",
    "gdrive": "adapters.gdrive",
    "zoom": "adapters.zoom",
    "gong": "adapters.gong",
}

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def _package(provider: str) -> ModuleType:
    name = PROVIDER_PACKAGES.get(provider)
    if name is None:
        raise ConfigError(f"unknown provider {provider!r}", provider=provider)
    module = importlib.import_module(name)
    if not callable(getattr(module, "build", None)):
        raise ConfigError(f"provider {provider!r} has no adapter yet", provider=provider)
    return module


def build_adapter(
    provider: str,
    connection: dict[str, Any],
    credential: dict[str, Any],
    *,
    on_token: TokenCallback | None = None,
    rate_limits: dict[str, Any] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    options: HttpOptions | None = None,
) -> ProviderAdapter:
    """The adapter for ``provider``; raises ``ConfigError`` for bad connection or credential data.

    ``credential`` is the stored credential (camelCase, secrets revealed); ``on_token`` receives
    every renewed ``OAuthToken`` before it is used (persist it with ``merge_token``);
    ``rate_limits`` is the Integration's ``rateLimits`` override; ``transport`` is for tests
    and the sandbox; ``options`` injects the retry policy, sleep and clock (tests).
    """
    package = _package(provider)
    hints_for = getattr(package, "auth_hints", None)
    hints = hints_for(connection) if callable(hints_for) else AuthHints()
    clock = options.clock if options else utc_now
    auth = auth_for(credential, provider, hints=hints, on_token=on_token, clock=clock)
    client = httpx.AsyncClient(auth=auth, transport=transport, timeout=timeout)
    adapter: ProviderAdapter = package.build(client, connection, rate_limits=rate_limits, options=options)
    return adapter
