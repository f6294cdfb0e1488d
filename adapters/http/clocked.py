"""``ClockedAdapter``: what the Graph, Drive, Zoom and Gong adapters share.

They are built around one ``ProviderHttp`` over the authenticated client (``from_client`` makes it with the
provider's classifier and limit-header parser), classify responses against an injectable clock, and start from the
provider's default limits with the Integration's overrides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Self

import httpx

from adapters.base import DEFAULT_LIMITS, ProviderLimits
from adapters.http.limits import LIMIT_PARSERS
from adapters.http.oauth import utc_now
from adapters.http.session import HttpOptions, ProviderHttp
from core.errors import SyncError

Classify = Callable[[httpx.Response, datetime], SyncError | None]


class ClockedAdapter:
    """Base class: ``class GraphAdapter(ClockedAdapter, provider=PROVIDER, classify=classify)``."""

    provider: ClassVar[str]
    _classifiers: ClassVar[dict[str, Classify]] = {}

    def __init_subclass__(cls, *, provider: str, classify: Classify, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.provider = provider
        ClockedAdapter._classifiers[provider] = classify

    def __init__(
        self,
        conn: Any,
        http: ProviderHttp,
        *,
        clock: Callable[[], datetime] = utc_now,
        limit_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.conn = conn
        self.http = http
        self._clock = clock
        self._limits = DEFAULT_LIMITS[self.provider].with_overrides(limit_overrides)

    @classmethod
    def from_client(
        cls,
        client: httpx.AsyncClient,
        conn: Any,
        *,
        rate_limits: dict[str, Any] | None = None,
        options: HttpOptions | None = None,
    ) -> Self:
        """The adapter over the authenticated ``client``: its ``ProviderHttp`` classifies with the provider's
        classifier against the options' clock and reads the provider's rate-limit headers."""
        options = options or HttpOptions()
        classify, clock = ClockedAdapter._classifiers[cls.provider], options.clock
        http = ProviderHttp(
            client,
            provider=cls.provider,
            classify=lambda response: classify(response, clock()),
            parse_limits=LIMIT_PARSERS[cls.provider],
            options=options,
        )
        return cls(conn, http, clock=clock, limit_overrides=rate_limits)

    def limits(self) -> ProviderLimits:
        """The provider's default budget with the Integration's overrides."""
        return self._limits

    def classify(self, response: httpx.Response) -> SyncError | None:
        """The typed error for a response of this provider (``None`` for a success)."""
        return ClockedAdapter._classifiers[self.provider](response, self._clock())

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.client.aclose()
