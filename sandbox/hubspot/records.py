"""HubSpot records and one table per object type."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from sandbox.clock import StampSource, iso_datetime
from sandbox.hubspot.errors import Conflict, ObjectNotFound, ValidationError
from sandbox.hubspot.schema import READ_ONLY, ObjectSpec


class HsRecord:
    """One version of a record; audit dates kept as epoch ms and formatted when served."""

    __slots__ = ("id", "props", "created", "updated", "archived_at")

    def __init__(self, record_id: int, props: dict[str, str | None], created: int, updated: int,
                 archived_at: int | None = None) -> None:
        self.id = record_id
        self.props = props
        self.created = created
        self.updated = updated
        self.archived_at = archived_at

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def prop(self, name: str) -> str | None:
        if name == "hs_object_id":
            return str(self.id)
        if name == "createdate":
            return iso_datetime(self.created)
        if name in ("lastmodifieddate", "hs_lastmodifieddate"):
            return iso_datetime(self.updated)
        return self.props.get(name)

    def raw(self, name: str) -> Any:
        """A comparable value: dates and the id as integers, others as stored strings."""
        if name == "hs_object_id":
            return self.id
        if name == "createdate":
            return self.created
        if name in ("lastmodifieddate", "hs_lastmodifieddate"):
            return self.updated
        return self.props.get(name)

    def to_api(self, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": str(self.id), "properties": {n: self.prop(n) for n in names},
                               "createdAt": iso_datetime(self.created), "updatedAt": iso_datetime(self.updated),
                               "archived": self.archived}
        if self.archived_at is not None:
            out["archivedAt"] = iso_datetime(self.archived_at)
        return out


def _property_text(value: Any) -> str | None:
    """HubSpot stores every property as a string; an empty string clears it."""
    if value is None or value == "":
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


class ObjectTable:
    """All records of one type, ordered by id (ids only grow), archived ones kept."""

    def __init__(self, spec: ObjectSpec, stamps: StampSource, records: list[HsRecord]) -> None:
        self.spec = spec
        self._stamps = stamps
        self.records: dict[int, HsRecord] = {r.id: r for r in records}
        self.ids: list[int] = sorted(self.records)
        self._unique: dict[tuple[str, str], int] = {}  # (property, lower-cased value) -> id
        for r in records:
            self._index(r)

    def _index(self, record: HsRecord) -> None:
        for name in self.spec.unique:
            value = record.props.get(name)
            if value:
                self._unique[(name, value.lower())] = record.id

    def __iter__(self) -> Iterator[HsRecord]:
        return iter(self.records.values())

    def after(self, cursor: int) -> int:
        """Position of the first id at or above `cursor`."""
        return bisect.bisect_left(self.ids, cursor)

    def normalize(self, props: Any) -> dict[str, str | None]:
        if not isinstance(props, dict):
            raise ValidationError("Invalid input JSON: 'properties' must be an object")
        out: dict[str, str | None] = {}
        for name, value in props.items():
            if name in READ_ONLY:
                raise ValidationError(f'Property "{name}" is read-only', errorType="READ_ONLY_VALUE")
            if name not in self.spec.properties:
                raise ValidationError(f'Property values were not valid: Property "{name}" does not exist',
                                      errorType="PROPERTY_DOESNT_EXIST")
            out[name] = _property_text(value)
        return out

    def live(self, record_id: int) -> HsRecord:
        record = self.records.get(record_id)
        if record is None or record.archived:
            raise ObjectNotFound("resource not found")
        return record

    def find_unique(self, name: str, value: str) -> HsRecord | None:
        """The live record whose unique property `name` equals `value` (case-insensitively)."""
        if name not in self.spec.unique:
            raise ValidationError(f"{name} is not a unique property of {self.spec.name}")
        record = self.records.get(self._unique.get((name, value.lower()), -1))
        return None if record is None or record.archived else record

    def by_unique(self, name: str, value: str) -> HsRecord:
        record = self.find_unique(name, value)
        if record is None:
            raise ObjectNotFound("resource not found")
        return record

    def _check_unique(self, props: dict[str, str | None], own: int | None) -> None:
        for name in self.spec.unique:
            value = props.get(name)
            holder = self._unique.get((name, value.lower())) if value else None
            if holder is not None and holder != own and not self.records[holder].archived:
                label = "Contact" if self.spec.name == "contacts" else "An object"
                raise Conflict(f"{label} already exists. Existing ID: {holder}")

    def create(self, props: dict[str, str | None]) -> HsRecord:
        self._check_unique(props, None)
        record_id = (self.ids[-1] if self.ids else self.spec.id_base) + 1
        stamp = self._stamps.next()
        full: dict[str, str | None] = dict.fromkeys(self.spec.properties)
        full.update(props)
        record = HsRecord(record_id, full, stamp, stamp)
        self.records[record_id] = record
        self.ids.append(record_id)
        self._index(record)
        return record

    def update(self, record_id: int, props: dict[str, str | None]) -> HsRecord:
        current = self.live(record_id)
        self._check_unique(props, record_id)
        record = HsRecord(record_id, {**current.props, **props}, current.created, self._stamps.next())
        self.records[record_id] = record
        self._index(record)
        return record

    def archive(self, record_id: int) -> HsRecord:
        current = self.live(record_id)
        stamp = self._stamps.next()
        record = HsRecord(record_id, current.props, current.created, stamp, archived_at=stamp)
        self.records[record_id] = record
        return record
