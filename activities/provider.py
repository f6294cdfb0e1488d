"""Opening a provider adapter for an integration inside an activity.

The credential comes from the credential service (issue 5): its session hands the adapter the stored
credential and a renewer, so a 401 mid-sync refreshes through the same per-credential critical section as
the token refresher, and rotated refresh tokens are persisted before they are used.

Adapters are kept per integration configuration for the life of the worker process (one HTTP client, its
connection pool and TLS context, reused by every page), as the Functions guidance recommends for clients.
A changed integration (new ETag) or credential (new metadata version) gets a new adapter; an adapter whose
token was refreshed elsewhere still works, because its auth flow asks the shared renewer on a 401.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.base import ProviderAdapter
from adapters.registry import build_adapter
from core.models import Integration
from credentials.runtime import credential_service

MAX_CACHED = 64
_cache: OrderedDict[tuple[str, str, str | None, int | None, int], ProviderAdapter] = OrderedDict()


def _build(integration: Integration) -> ProviderAdapter:
    assert integration.tenant_id is not None and integration.integration_id is not None
    session = credential_service().open(integration.tenant_id, integration.integration_id)
    return build_adapter(
        integration.provider.value,
        integration.connection,
        session.credential,
        on_token=session.on_token,
        rate_limits=integration.rate_limits.to_wire(exclude_none=True) if integration.rate_limits else None,
    )


@asynccontextmanager
async def open_adapter(integration: Integration) -> AsyncIterator[ProviderAdapter]:
    """The integration's adapter (cached per process and event loop); raises ``SyncError`` subclasses."""
    assert integration.tenant_id is not None and integration.integration_id is not None
    meta = credential_service().metadata(integration.tenant_id, integration.integration_id)
    key = (integration.tenant_id, integration.integration_id, integration.etag,
           meta.version if meta is not None else None, id(asyncio.get_running_loop()))
    adapter = _cache.get(key)
    if adapter is None:
        adapter = _build(integration)
        _cache[key] = adapter
        while len(_cache) > MAX_CACHED:
            _, evicted = _cache.popitem(last=False)
            await evicted.aclose()
    _cache.move_to_end(key)
    yield adapter
