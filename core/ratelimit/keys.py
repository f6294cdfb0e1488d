"""Budget entity keys: one budget per integration, one per tenant.

Keys avoid ``/ \\ # ?`` (not allowed in Durable instance ids on Azure Storage) and ``@`` (the
SDK's ``@name@key`` separator).
"""

from __future__ import annotations

from core.ratelimit.defaults import tenant_budget_config
from core.ratelimit.models import BudgetConfig

TENANT_SUFFIX = ":*"


def integration_budget_key(tenant_id: str, integration_id: str) -> str:
    """The key every orchestration of one integration shares."""
    return f"{tenant_id}:{integration_id}"


def tenant_budget_key(tenant_id: str) -> str:
    """The key of the tenant-wide budget (the seeds' tenant level, 5,000/min)."""
    return f"{tenant_id}{TENANT_SUFFIX}"


def default_config_for_key(key: str) -> BudgetConfig:
    """What an unconfigured budget enforces: the tenant level for a tenant key, else the seeds'
    operation levels (integrations are configured with their provider by the sync on start)."""
    if key.endswith(TENANT_SUFFIX):
        return tenant_budget_config()
    return BudgetConfig()
