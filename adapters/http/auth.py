"""Static credentials as ``httpx.Auth``: API keys, fixed bearer tokens and HTTP Basic (Gong).

The OAuth grants live in ``oauth.py``; ``httpx.BasicAuth`` already does Basic, re-exported here
so adapters import every auth flow from one place.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

BasicAuth = httpx.BasicAuth


class HeaderAuth(httpx.Auth):
    """Send a fixed secret in one header (``Authorization: Bearer <key>``, ``X-API-Key: <key>``)."""

    def __init__(self, header: str, value: str) -> None:
        self._header = header
        self._value = value

    def __repr__(self) -> str:
        return f"HeaderAuth({self._header!r}, '***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request


def bearer(token: str) -> HeaderAuth:
    """A fixed bearer token (HubSpot private-app tokens, pre-issued access tokens)."""
    return HeaderAuth("Authorization", f"Bearer {token}")
