"""``ClockedAdapter``: what the Graph, Drive, Zoom and Gong adapters share.

They are built around a ready ``ProviderHttp`` (``build`` wires auth and limits), classify responses against an
injectable clock, and start from the provider's default limits with the Integration's overrides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import httpx

from adapters.base import DEFAULT_LIMITS, ProviderLimits
from adapters.http.oauth import utc_now
from adapters.http.session import ProviderHttp
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

    def limits(self) -> ProviderLimits:
        """The provider's default budget with the Integration's overrides."""
        return self._limits

    def classify(self, response: httpx.Response) -> SyncError | None:
        """The typed error for a response of this provider (``None`` for a success)."""
        return ClockedAdapter._classifiers[self.provider](response, self._clock())

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.client.aclose()
