"""The sync's rate-limit budget: per-operation levels from settings, the integration's overrides winning."""

from __future__ import annotations

from activities.sync_runs import budget_config
from core.models import Integration
from core.settings import Settings


def _integration(**extra: object) -> Integration:
    return Integration.model_validate({
        "provider": "salesforce", "connection": {"instanceUrl": "https://x.example.com"},
        "entityMappings": [{"externalEntity": "Account", "shardTypeId": "account",
                            "fieldMappings": [{"source": "Name", "target": "name"}]}],
        **extra,
    })


def test_operation_levels_come_from_settings() -> None:
    config = budget_config(_integration(), Settings(rate_limit_fetch_per_minute=120))
    limits = {op: (w.permits, w.window_seconds) for op, w in config.operation_limits.items() if w}
    assert limits == {"fetch": (120, 60.0), "create": (100, 60.0), "update": (150, 60.0), "delete": (100, 60.0)}
    assert config.operation_defaults is False and config.provider is not None


def test_integration_overrides_win_over_settings() -> None:
    integration = _integration(rateLimits={"requestsPerSecond": 5, "operationsPerMinute": {"fetch": 9000}})
    config = budget_config(integration, Settings(rate_limit_fetch_per_minute=120))
    assert config.operation_limits["fetch"] is not None and config.operation_limits["fetch"].permits == 9000
    assert config.rate_limits is not None and config.rate_limits.requests_per_second == 5
