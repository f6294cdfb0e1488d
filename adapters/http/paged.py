"""``PagedAdapter``: what the Salesforce, HubSpot and Dataverse adapters share.

Each owns one ``httpx.AsyncClient`` (closed by ``aclose``), one ``ProviderHttp`` that classifies responses with
the provider's error mapping and reads its rate-limit headers, one pager for reads, and the provider's default
limits with the Integration's overrides. Subclasses name those parts in an ``AdapterParts``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

import httpx

from adapters.base import DEFAULT_LIMITS, FetchRequest, Page, ProviderLimits
from adapters.http.limits import LimitParser
from adapters.http.session import HttpOptions, ProviderHttp
from core.errors import SyncError


class Pager(Protocol):
    async def fetch(self, req: FetchRequest) -> Page: ...


@dataclass(frozen=True)
class AdapterParts:
    """What differs between the adapters that share ``PagedAdapter``."""

    provider: str
    classify: Callable[[httpx.Response, datetime], SyncError | None]
    parse_limits: LimitParser
    pager: Callable[[ProviderHttp, Any], Pager]


class PagedAdapter:
    """Base of the adapters whose reads are one pager over one ``ProviderHttp``::

        class SalesforceAdapter(PagedAdapter, parts=AdapterParts("salesforce", errors.classify, ...)): ...
    """

    provider: ClassVar[str]
    parts: ClassVar[AdapterParts]

    def __init_subclass__(cls, *, parts: AdapterParts, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.parts, cls.provider = parts, parts.provider

    def __init__(
        self,
        client: httpx.AsyncClient,
        connection: Any,
        *,
        rate_limits: dict[str, Any] | None = None,
        options: HttpOptions | None = None,
    ) -> None:
        self.connection = connection
        self._client = client
        self._http = ProviderHttp(client, provider=self.provider, classify=self.classify,
                                  parse_limits=self.parts.parse_limits, options=options)
        self._pager = self.parts.pager(self._http, connection)
        self._limits = DEFAULT_LIMITS[self.provider].with_overrides(rate_limits)

    def classify(self, response: httpx.Response) -> SyncError | None:
        return self.parts.classify(response, self._http.now())

    def limits(self) -> ProviderLimits:
        return self._limits

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch_page(self, req: FetchRequest) -> Page:
        return await self._pager.fetch(req)
