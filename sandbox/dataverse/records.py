"""Dataverse rows and one table per entity set, with the change log that change tracking reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.clock import StampSource
from sandbox.dataverse.errors import DuplicateRecord, InvalidPayload, ObjectDoesNotExist, VersionMismatch
from sandbox.dataverse.schema import EntitySpec, Kind


class DvRecord:
    """One version of a row. `version` is the org-wide row version at its last change (the ETag)."""

    __slots__ = ("id", "values", "modified", "created", "version")

    def __init__(self, record_id: str, values: dict[str, Any], modified: int, created: int, version: int) -> None:
        self.id = record_id
        self.values = values
        self.modified = modified
        self.created = created
        self.version = version

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'


class VersionSource:
    """The org's row-version counter: every change of any row takes the next number."""

    def __init__(self, start: int) -> None:
        self.current = start

    def next(self) -> int:
        self.current += 1
        return self.current


_TYPES = {Kind.STRING: (str,), Kind.GUID: (str,), Kind.NUMBER: (int, float), Kind.DATETIME: (str,)}


class EntityTable:
    """Live rows plus `deleted`: id -> row version of its deletion (read by change tracking)."""

    def __init__(self, spec: EntitySpec, stamps: StampSource, versions: VersionSource,
                 records: list[DvRecord]) -> None:
        self.spec = spec
        self._stamps, self._versions = stamps, versions
        self.records: dict[str, DvRecord] = {r.id: r for r in records}
        self.deleted: dict[str, int] = {}

    def __iter__(self) -> Iterator[DvRecord]:
        return iter(self.records.values())

    def normalize(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise InvalidPayload("The request body must be a JSON object")
        out: dict[str, Any] = {}
        for name, value in body.items():
            if name.startswith("@odata") or name == self.spec.key:
                continue
            kind = self.spec.attributes.get(name)
            if kind is None:
                raise InvalidPayload(f"Invalid property '{name}' was found in entity "
                                     f"'Microsoft.Dynamics.CRM.{self.spec.logical}'.")
            if value is not None and (not isinstance(value, _TYPES[kind]) or isinstance(value, bool)):
                raise InvalidPayload(f"Cannot convert the literal for property '{name}'.")
            out[name] = value
        return out

    def get(self, record_id: str) -> DvRecord:
        record = self.records.get(record_id.lower())
        if record is None:
            raise ObjectDoesNotExist(f"{self.spec.logical} With Id = {record_id} Does Not Exist")
        return record

    def check(self, record: DvRecord, if_match: str | None) -> None:
        if if_match not in (None, "*") and if_match != record.etag:
            raise VersionMismatch("The version of the existing record doesn't match the RowVersion property "
                                  "provided.")

    def create(self, record_id: str, values: dict[str, Any]) -> DvRecord:
        record_id = record_id.lower()
        if record_id in self.records:
            raise DuplicateRecord("A record with matching key values already exists.")
        stamp = self._stamps.next()
        full = dict.fromkeys(self.spec.attributes)
        full.update(values)
        record = DvRecord(record_id, full, stamp, stamp, self._versions.next())
        self.records[record_id] = record
        self.deleted.pop(record_id, None)
        return record

    def update(self, record_id: str, changes: dict[str, Any], if_match: str | None = None) -> DvRecord:
        current = self.get(record_id)
        self.check(current, if_match)
        record = DvRecord(current.id, {**current.values, **changes}, self._stamps.next(), current.created,
                          self._versions.next())
        self.records[current.id] = record
        return record

    def delete(self, record_id: str, if_match: str | None = None) -> None:
        current = self.get(record_id)
        self.check(current, if_match)
        del self.records[current.id]
        self.deleted[current.id] = self._versions.next()
