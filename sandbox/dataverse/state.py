"""Everything one simulated Dataverse environment holds: tables, paging cursors, tokens, limits."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

from sandbox.clock import Clock, StampSource
from sandbox.dataverse.data import generate, max_generated
from sandbox.dataverse.errors import InvalidArgument, SegmentNotFound
from sandbox.dataverse.records import DvRecord, EntityTable, VersionSource
from sandbox.dataverse.schema import SPECS
from sandbox.limits import Gate
from sandbox.oauth_state import OAuthState

# Service protection counts requests over a 5-minute sliding window (api-limits.md).
WINDOW_SECONDS = 300.0
MAX_OPEN_CURSORS = 64


@dataclass
class PageCursor:
    """A query's selected rows; `delta_version` is set when change tracking was asked for."""

    set_name: str
    select: list[str] | None
    rows: list[DvRecord | str]  # a str is the id of a deleted row (change tracking)
    delta_version: int | None


class DataverseState:
    """One environment."""

    def __init__(self, clock: Clock, seed: int, records: int) -> None:
        self._clock = clock
        self.oauth = OAuthState("dataverse", clock, prefix="eyJ0eXAiOiJKV1Qi.")
        self.stamps = StampSource(clock)
        self.versions = VersionSource(0)
        self._tables: dict[str, EntityTable] = {}
        self._cursors: OrderedDict[str, PageCursor] = OrderedDict()
        self.reset_data(seed, records)

    def table(self, set_name: str) -> EntityTable:
        spec = SPECS.get(set_name)
        if spec is None:
            raise SegmentNotFound(f"Resource not found for the segment '{set_name}'.")
        table = self._tables.get(set_name)
        if table is None:
            rows = generate(set_name, self.records_per_object, self.seed)
            table = self._tables[set_name] = EntityTable(spec, self.stamps, self.versions, rows)
        return table

    def warm(self) -> dict[str, int]:
        return {name: len(self.table(name).records) for name in SPECS}

    def open_cursor(self, cursor: PageCursor) -> str:
        token = secrets.token_hex(8)
        self._cursors[token] = cursor
        while len(self._cursors) > MAX_OPEN_CURSORS:
            self._cursors.popitem(last=False)
        return token

    def cursor(self, token: str) -> PageCursor:
        cursor = self._cursors.get(token)
        if cursor is None:
            raise InvalidArgument("The paging cookie is invalid or expired.")
        return cursor

    def reset_data(self, seed: int, records: int) -> None:
        self.seed, self.records_per_object = seed, records
        self._tables.clear()
        self._cursors.clear()
        self.gate = Gate(self._clock, seed, "dataverse", burst_seconds=WINDOW_SECONDS)
        stamp, version = max_generated(records)
        self.stamps.raise_floor(stamp)
        self.versions.current = max(self.versions.current, version)
