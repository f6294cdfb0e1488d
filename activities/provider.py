"""Opening a provider adapter for an integration inside an activity.

The credential comes from the credential service (issue 5): its session hands the adapter the stored
credential and a renewer, so a 401 mid-sync refreshes through the same per-credential critical section as
the token refresher, and rotated refresh tokens are persisted before they are used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.base import ProviderAdapter
from adapters.registry import build_adapter
from core.models import Integration
from credentials.runtime import credential_service


@asynccontextmanager
async def open_adapter(integration: Integration) -> AsyncIterator[ProviderAdapter]:
    """The integration's adapter, closed on exit; raises ``core.errors.SyncError`` subclasses."""
    assert integration.tenant_id is not None and integration.integration_id is not None
    session = credential_service().open(integration.tenant_id, integration.integration_id)
    adapter = build_adapter(
        integration.provider.value,
        integration.connection,
        session.credential,
        on_token=session.on_token,
        rate_limits=integration.rate_limits.to_wire(exclude_none=True) if integration.rate_limits else None,
    )
    try:
        yield adapter
    finally:
        await adapter.aclose()
