"""The budget's persisted state: JSON-serializable, integer microsecond times, bounded in size."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from core.models.base import CamelModel
from core.ratelimit.models import BudgetConfig, ThrottleReason


class Level(CamelModel):
    """One sliding-window level and its grant log.

    ``log`` holds ``(slot_us, permits)`` pairs in ascending slot order, one pair per distinct slot.
    ``operations`` is None when the level counts every operation. ``adaptive`` levels shrink when
    the provider signals pressure (integration levels); the seeds' operation and tenant levels don't.
    """

    name: str
    operations: list[str] | None = None
    permits: int = Field(gt=0)
    window_us: int = Field(gt=0)
    adaptive: bool = False
    log: list[tuple[int, int]] = Field(default_factory=list)

    def applies_to(self, operation: str) -> bool:
        """Whether a request for ``operation`` counts against this level."""
        return self.operations is None or operation in self.operations


class DailyBudget(CamelModel):
    """A daily quota counted per UTC day (``day_us`` is the day's start)."""

    cap: int = Field(gt=0)
    used: int = 0
    day_us: int = 0


class BudgetState(CamelModel):
    """Everything the entity persists; ``clock_us`` is the latest ``now`` seen (never goes back)."""

    model_config = ConfigDict(extra="ignore")

    config: BudgetConfig = Field(default_factory=BudgetConfig)
    configured: bool = False
    levels: list[Level] = Field(default_factory=list)
    daily: DailyBudget | None = None
    clock_us: int = 0
    blocked_until_us: int = 0
    block_reason: ThrottleReason | None = None
    factor: float = 1.0
    pressure_at_us: int = 0
