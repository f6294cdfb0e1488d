"""Everything one simulated HubSpot portal holds: tables (generated on first use), tokens, limits."""

from __future__ import annotations

from sandbox.clock import Clock, StampSource
from sandbox.hubspot.data import generate, max_generated_stamp
from sandbox.hubspot.errors import ObjectNotFound
from sandbox.hubspot.records import ObjectTable
from sandbox.hubspot.schema import SPECS
from sandbox.limits import Gate, TokenBucket
from sandbox.oauth_state import OAuthState

# HubSpot's burst limits are counted per 10-second interval.
BURST_SECONDS = 10.0


class HubSpotState:
    """One portal."""

    def __init__(self, clock: Clock, seed: int, records: int) -> None:
        self._clock = clock
        self.oauth = OAuthState("hubspot", clock, prefix="CJSb")
        self.stamps = StampSource(clock)
        self._tables: dict[str, ObjectTable] = {}
        self.reset_data(seed, records)

    def table(self, object_type: str) -> ObjectTable:
        spec = SPECS.get(object_type.lower())
        if spec is None:
            raise ObjectNotFound(f"Unable to infer object type from: {object_type}")
        table = self._tables.get(spec.name)
        if table is None:
            table = self._tables[spec.name] = ObjectTable(spec, self.stamps,
                                                          generate(spec.name, self.records_per_object, self.seed))
        return table

    def warm(self) -> dict[str, int]:
        """Generate every table now; returns the record count per object type."""
        return {name: len(self.table(name).records) for name in SPECS}

    def reset_data(self, seed: int, records: int) -> None:
        """Forget every table and limit counter; the next use regenerates from (seed, records)."""
        self.seed, self.records_per_object = seed, records
        self._tables.clear()
        self.gate = Gate(self._clock, seed, "hubspot", burst_seconds=BURST_SECONDS)
        self.search_bucket = TokenBucket(self._clock, burst_seconds=1.0)
        self.stamps.raise_floor(max_generated_stamp(records))
