"""What the sandbox saw, exposed by `GET /_admin/counters` so tests and benchmarks can assert on it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Counters:
    """Counts by key. `requests` keys are `"METHOD /route/{pattern}"`; the others are keyed by provider
    (`salesforce`, `hubspot`), and `grants` by `"provider:grant_type"`."""

    requests: Counter[str] = field(default_factory=Counter)
    grants: Counter[str] = field(default_factory=Counter)
    invalid_grants: Counter[str] = field(default_factory=Counter)
    limit_errors: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    auth_errors: Counter[str] = field(default_factory=Counter)
    records_served: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        return {name: dict(getattr(self, name)) for name in self.__dataclass_fields__}

    def clear(self) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).clear()
