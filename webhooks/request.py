"""The raw HTTP request a webhook verifier sees: exact body bytes, case-insensitive headers.

The route builds one ``RawRequest`` from whatever its framework hands it and passes it, untouched,
to ``verify`` and ``parse``. Signatures are computed over ``body`` exactly as received: never over
re-serialised JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive header map (HTTP header names are case-insensitive)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        # First value wins: a duplicated signature header must not let a second value override the first.
        store: dict[str, str] = {}
        for name, value in pairs:
            store.setdefault(name.lower(), value)
        self._items = store

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # Values may hold tokens (Authorization, channel tokens): show names only.
        return f"Headers({sorted(self._items)})"


@dataclass(frozen=True, slots=True)
class RawRequest:
    """One inbound webhook request.

    ``url`` is the full external URL the provider called (scheme, host, path and query as sent);
    HubSpot v2/v3 sign it, so the route must pass the public URL, not a proxy-internal one.
    ``query`` holds URL-decoded query parameters; when omitted it is parsed from ``url``.
    """

    method: str
    url: str
    headers: Headers
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes,
        query: Mapping[str, str] | None = None,
    ) -> RawRequest:
        """Build from framework parts; parses the query string from ``url`` when ``query`` is None."""
        if query is None:
            query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        return cls(method.upper(), url, Headers(headers), bytes(body), dict(query))

    def header(self, name: str) -> str | None:
        """The header's value, or None when absent."""
        return self.headers.get(name)
