"""Runs: one sync of one integration, with totals and per-mapping progress."""

from __future__ import annotations

from pydantic import Field

from core.models.base import CamelModel, DocumentModel, Identifier, UtcDatetime
from core.models.enums import MappingStatus, RunMode, RunStatus, RunTrigger


class RunStats(CamelModel):
    """Record counts; ``unchanged`` are records whose content hash matched (skipped as no-ops)."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    deleted: int = 0
    failed: int = 0

    def __add__(self, other: RunStats) -> RunStats:
        totals = {name: getattr(self, name) + getattr(other, name) for name in RunStats.model_fields}
        return RunStats(**totals)


class RunError(CamelModel):
    """One failure reported on a run. ``error_type`` is the error class name from core.errors."""

    error_type: str
    message: str
    external_entity: str | None = None
    external_id: str | None = None
    retryable: bool = False


class MappingProgress(CamelModel):
    """Progress of one entity mapping within a run."""

    external_entity: str
    shard_type_id: str
    status: MappingStatus = MappingStatus.PENDING
    pages: int = 0
    stats: RunStats = Field(default_factory=RunStats)
    error: RunError | None = None


class Run(DocumentModel):
    """One sync run; ``runId`` is the orchestration instance id."""

    run_id: Identifier
    integration_id: Identifier
    tenant_id: Identifier | None = None
    mode: RunMode = RunMode.INCREMENTAL
    trigger: RunTrigger = RunTrigger.HTTP
    status: RunStatus = RunStatus.RUNNING
    started_at: UtcDatetime
    ended_at: UtcDatetime | None = None
    stats: RunStats = Field(default_factory=RunStats)
    mappings: list[MappingProgress] = Field(default_factory=list)
    errors: list[RunError] = Field(default_factory=list)


def overall_status(mappings: list[MappingProgress]) -> RunStatus:
    """completed when every mapping completed, failed when none did, partial otherwise."""
    if not mappings:
        return RunStatus.COMPLETED
    done = sum(1 for m in mappings if m.status == MappingStatus.COMPLETED)
    failed = sum(1 for m in mappings if m.status == MappingStatus.FAILED)
    if done == len(mappings):
        return RunStatus.COMPLETED
    if failed == len(mappings):
        return RunStatus.FAILED
    if done + failed == len(mappings):
        return RunStatus.PARTIAL
    return RunStatus.RUNNING
