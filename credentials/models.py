"""The typed inputs and results that cross activity and orchestration boundaries.

They carry tenant and integration ids, timestamps and outcome codes only: never a token or any
other secret (history, custom status and logs are not secret stores).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from core.errors import ErrorCode
from core.models.base import CamelModel, Identifier, UtcDatetime


class CredentialRef(CamelModel):
    """Which credential: the one of this integration of this tenant."""

    tenant_id: Identifier
    integration_id: Identifier


class RefreshResult(StrEnum):
    """How one refresh attempt ended."""

    REFRESHED = "refreshed"  # we called the token endpoint and persisted the new tokens
    ALREADY_FRESH = "already_fresh"  # someone else refreshed it while we waited for the lease
    NEEDS_REAUTH = "needs_reauth"  # invalid_grant: a person must re-authorize
    TRANSIENT_FAILURE = "transient_failure"  # token endpoint down or throttled: retry later
    SKIPPED = "skipped"  # nothing to refresh (gone, static credential, already needs re-auth)


class RefreshOutcome(CamelModel):
    """The result of ``refresh_credential`` and of the refresh activity."""

    tenant_id: Identifier
    integration_id: Identifier
    result: RefreshResult
    expires_at: UtcDatetime | None = None
    version: int | None = None
    error_code: ErrorCode | None = None
    message: str | None = None
    next_due_at: UtcDatetime | None = None  # when the token refresher should look at it again


class RefreshPlan(CamelModel):
    """The refresher's timing, from Settings (seconds so tests can run generations quickly)."""

    interval_seconds: float = Field(gt=0)
    threshold_seconds: float = Field(gt=0)
    min_interval_seconds: float = Field(gt=0)
    max_per_generation: int = Field(ge=1)


class FindExpiringInput(CamelModel):
    """Credentials expiring before ``as_of`` + threshold are due (``as_of`` is orchestration time)."""

    as_of: UtcDatetime


class RefreshDueInput(CredentialRef):
    """Refresh this credential if it expires before ``due_before``."""

    due_before: UtcDatetime


class FindExpiringResult(CamelModel):
    due: list[RefreshDueInput] = Field(default_factory=list)
    more: bool = False  # more were due than one generation takes
    next_due_at: UtcDatetime | None = None  # the soonest refresh time among credentials not due yet
    plan: RefreshPlan


class RefresherState(CamelModel):
    """What one generation of the token refresher hands the next through ``continue_as_new``."""

    generation: int = Field(default=0, ge=0)
    failures: int = Field(default=0, ge=0)  # consecutive generations with a transient failure
    refreshed_total: int = Field(default=0, ge=0)
