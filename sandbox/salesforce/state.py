"""Everything one simulated Salesforce org holds: tables (generated lazily per object), open query
cursors, OAuth tokens and the admission gate."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.clock import Clock, StampSource
from sandbox.limits import Gate
from sandbox.oauth_state import OAuthState
from sandbox.salesforce.data import generate, max_generated_stamp
from sandbox.salesforce.errors import InvalidQueryLocator, InvalidType
from sandbox.salesforce.records import SfRecord, SObjectTable
from sandbox.salesforce.schema import QUERYABLE, SPECS, spec_for

MAX_OPEN_CURSORS = 64  # Salesforce bounds open cursors per user too (its limit is 10); ours is kinder


@dataclass
class QueryCursor:
    """The rows a query selected (record versions at query time) and how to serve them."""

    render: Callable[[SfRecord], str]
    rows: list[SfRecord]
    batch_size: int


class SalesforceState:
    """One org. Tables appear on first use so starting a 100,000-record sandbox costs nothing up front."""

    def __init__(self, clock: Clock, seed: int, records: int) -> None:
        self._clock = clock
        self.seed = seed
        self.records_per_object = records
        self.stamps = StampSource(clock, max_generated_stamp(records))
        self.gate = Gate(clock, seed, "salesforce", burst_seconds=1.0)
        self.oauth = OAuthState("salesforce", clock, prefix="00DSb0000000001!")
        self._tables: dict[str, SObjectTable] = {}
        self._cursors: OrderedDict[str, QueryCursor] = OrderedDict()

    def table(self, name: str) -> SObjectTable:
        """The table of an sObject by (case-insensitive) name; INVALID_TYPE when unknown."""
        spec = spec_for(name)
        if spec is None:
            raise InvalidType(f"sObject type '{name}' is not supported.")
        table = self._tables.get(spec.name)
        if table is None:
            rows = generate(spec.name, self.records_per_object, self.seed)
            table = self._tables[spec.name] = SObjectTable(SPECS[spec.name], self.stamps, rows, len(rows))
        return table

    def warm(self) -> dict[str, int]:
        """Generate every table now; returns the record count per object."""
        return {name: len(self.table(name).records) for name in QUERYABLE}

    def open_cursor(self, cursor: QueryCursor) -> str:
        locator = f"01gSb{secrets.token_hex(7).upper()}"
        self._cursors[locator] = cursor
        while len(self._cursors) > MAX_OPEN_CURSORS:
            self._cursors.popitem(last=False)
        return locator

    def cursor(self, locator: str) -> QueryCursor:
        cursor = self._cursors.get(locator)
        if cursor is None:
            raise InvalidQueryLocator("invalid query locator")
        self._cursors.move_to_end(locator)
        return cursor

    def close_cursor(self, locator: str) -> None:
        self._cursors.pop(locator, None)

    def reset_data(self, seed: int, records: int) -> None:
        """Forget every table, cursor and limit counter; the next use regenerates from (seed, records)."""
        self.seed, self.records_per_object = seed, records
        self.gate = Gate(self._clock, seed, "salesforce", burst_seconds=1.0)
        self._tables.clear()
        self._cursors.clear()
        self.stamps.raise_floor(max_generated_stamp(records))
