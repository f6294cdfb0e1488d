"""Base of every scheme's configuration model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

DEFAULT_TOLERANCE_SECONDS = 300
"""Five minutes: Slack's SDK, HubSpot v3's changelog and Stripe's default tolerance all use it."""

Tolerance = Field(default=DEFAULT_TOLERANCE_SECONDS, ge=1, le=3600)


class SchemeConfig(BaseModel):
    """Per-registration verification settings. Secrets are ``SecretStr`` and may be None: a
    missing secret makes every request fail closed with ``NoSecretConfigured``."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )
