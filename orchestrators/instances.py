"""What starters ask of the task hub about an orchestration instance (client side, not in orchestrators)."""

from __future__ import annotations

from typing import Any, Protocol

import azure.durable_functions as df

LIVE = frozenset({
    df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending,
    df.OrchestrationRuntimeStatus.ContinuedAsNew, df.OrchestrationRuntimeStatus.Suspended,
})


class StatusClient(Protocol):
    async def get_status(self, instance_id: str) -> Any: ...


async def is_running(client: StatusClient, instance_id: str) -> bool:
    """Whether an instance with this id exists and has not reached a terminal status."""
    status = await client.get_status(instance_id)
    return bool(status) and getattr(status, "runtime_status", None) in LIVE
