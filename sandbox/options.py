"""The sandbox's knobs: one pydantic model, filled from the CLI and changed at runtime by the admin routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PORT = 8081
DEFAULT_RECORDS = 1_000
# Salesforce's default session timeout is two hours; HubSpot's tokens live 30 minutes. One knob for both.
DEFAULT_TOKEN_LIFETIME_S = 7_200.0
DEFAULT_DAILY_LIMIT = 100_000
OperationKind = Literal["read", "create", "update", "delete"]


class SandboxOptions(BaseModel):
    """Options of one sandbox instance. Fields marked *runtime* may be changed via `PATCH /_admin/options`."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65_535)
    records: int = Field(default=DEFAULT_RECORDS, ge=0, description="records generated per object")
    seed: int = 1
    rate_limit: float | None = Field(default=None, gt=0, description="runtime: requests/s per provider")
    daily_limit: int = Field(default=DEFAULT_DAILY_LIMIT, ge=1, description="runtime: API requests per day")
    fault_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="runtime: share of calls that get 503")
    token_lifetime: float = Field(default=DEFAULT_TOKEN_LIFETIME_S, ge=0, description="runtime: seconds")
    page_size_max: int | None = Field(
        default=None, ge=1, description="runtime: caps every provider's page size below its own maximum"
    )

    def page_cap(self, provider_max: int) -> int:
        """The largest page a provider may serve: its own maximum, lowered by `page_size_max`."""
        return provider_max if self.page_size_max is None else min(provider_max, self.page_size_max)
    rotate_refresh_tokens: bool = Field(default=False, description="runtime: a used refresh token dies")
    revoke_family_on_reuse: bool = Field(
        default=False, description="runtime: reusing a rotated refresh token revokes its whole family"
    )
    salesforce_limit_status: Literal[403, 429] = Field(
        default=403, description="runtime: 403 REQUEST_LIMIT_EXCEEDED (Salesforce) or 429 with Retry-After"
    )
    hubspot_search_rate_limit: float | None = Field(
        default=None, gt=0, description="runtime: the search endpoint's own limit (HubSpot's is 4/s)"
    )
    hubspot_search_lag: float = Field(
        default=0.0, ge=0, description="runtime: seconds a written record stays out of search results"
    )
    operation_limits: dict[OperationKind, float] = Field(
        default_factory=dict, description="runtime: calls per minute per operation kind, on top of rate_limit"
    )
    warm: bool = Field(default=False, description="generate every table at start-up instead of on first use")


RUNTIME_FIELDS = frozenset(
    {
        "rate_limit",
        "daily_limit",
        "fault_rate",
        "token_lifetime",
        "page_size_max",
        "rotate_refresh_tokens",
        "revoke_family_on_reuse",
        "salesforce_limit_status",
        "hubspot_search_rate_limit",
        "hubspot_search_lag",
        "operation_limits",
    }
)
