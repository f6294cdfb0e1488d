"""Static credentials as ``httpx.Auth``: API keys, fixed bearer tokens and HTTP Basic (Gong).

The OAuth grants live in ``oauth.py``; ``httpx.BasicAuth`` already does Basic, re-exported here
so adapters import every auth flow from one place.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

BasicAuth = httpx.BasicAuth


class HeaderAuth(httpx.Auth):
    """Send fixed secrets in headers (``Authorization: Bearer <key>``, ``X-API-Key: <key>``)."""

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = dict(headers)

    def __repr__(self) -> str:
        return f"HeaderAuth({sorted(self._headers)!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self._headers)
        yield request


class QueryParamAuth(httpx.Auth):
    """Send an API key as a query parameter (legacy ``hapikey``-style APIs)."""

    def __init__(self, name: str, value: str) -> None:
        self._name = name
        self._value = value

    def __repr__(self) -> str:
        return f"QueryParamAuth({self._name!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_merge_params({self._name: self._value})
        yield request


def bearer(token: str) -> HeaderAuth:
    """A fixed bearer token (HubSpot private-app tokens, pre-issued access tokens)."""
    return HeaderAuth({"Authorization": f"Bearer {token}"})
