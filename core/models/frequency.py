"""``syncFrequency``: interval, 6-field NCRONTAB cron, or manual (discriminated on ``type``)."""

from __future__ import annotations

from typing import Annotated, Literal

from croniter import croniter
from pydantic import Field, field_validator

from core.models.base import CamelModel

MAX_INTERVAL_MINUTES = 7 * 24 * 60


def validate_ncrontab(expression: str) -> str:
    """Check a 6-field NCRONTAB expression (``second minute hour day month day-of-week``)."""
    fields = expression.split()
    if len(fields) != 6:
        raise ValueError(
            "cron expression must have 6 fields (second minute hour day month day-of-week),"
            f" got {len(fields)}"
        )
    if not croniter.is_valid(" ".join(fields), second_at_beginning=True):
        raise ValueError("invalid cron expression")
    return " ".join(fields)


class IntervalFrequency(CamelModel):
    type: Literal["interval"] = "interval"
    interval_minutes: int = Field(ge=1, le=MAX_INTERVAL_MINUTES)


class CronFrequency(CamelModel):
    type: Literal["cron"] = "cron"
    cron_expression: str

    @field_validator("cron_expression")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return validate_ncrontab(value)


class ManualFrequency(CamelModel):
    type: Literal["manual"] = "manual"


SyncFrequency = Annotated[IntervalFrequency | CronFrequency | ManualFrequency, Field(discriminator="type")]
"""One of the three frequency shapes, chosen by ``type``."""
