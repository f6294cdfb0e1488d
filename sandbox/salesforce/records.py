"""Salesforce records and one table per sObject, with the write rules of the REST API.

Records are immutable versions: a write replaces the record object, so an open query cursor keeps the
versions it selected (a snapshot) and readers never see a half-applied change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sandbox.clock import StampSource, salesforce_datetime
from sandbox.salesforce.errors import (
    DuplicateValue,
    EntityIsDeleted,
    InvalidField,
    InvalidFieldForInsert,
    JsonParserError,
    NotFound,
    PreconditionFailed,
    RequiredFieldMissing,
)
from sandbox.salesforce.schema import READ_ONLY, FieldType, SObjectSpec, make_id, stored_fields


class SfRecord:
    """One version of a record: API-shaped `values` of the custom and standard fields (Id included), with
    the system audit fields kept as integers (epoch ms) and formatted only when served."""

    __slots__ = ("id", "values", "modstamp", "created", "deleted", "modstamp_text", "created_text")

    def __init__(self, values: dict[str, Any], modstamp: int, created: int, deleted: bool = False) -> None:
        self.id: str = values["Id"]
        self.values = values
        self.modstamp = modstamp
        self.created = created
        self.deleted = deleted
        # Formatted on first use and kept: serving is the hot path, and a version's stamps never change.
        self.modstamp_text: str | None = None
        self.created_text: str | None = None

    def modstamp_str(self) -> str:
        text = self.modstamp_text = self.modstamp_text or salesforce_datetime(self.modstamp)
        return text

    def created_str(self) -> str:
        text = self.created_text = self.created_text or salesforce_datetime(self.created)
        return text

    def get(self, name: str) -> Any:
        """The API value of a canonical field name, system fields included."""
        if name in ("LastModifiedDate", "SystemModstamp"):
            return self.modstamp_str()
        if name == "CreatedDate":
            return self.created_str()
        if name == "IsDeleted":
            return self.deleted
        return self.values.get(name)

    def api_values(self) -> dict[str, Any]:
        """All fields, as `GET /sobjects/{Obj}/{id}` returns them."""
        modified = self.modstamp_str()
        return {**self.values, "IsDeleted": self.deleted, "CreatedDate": self.created_str(),
                "LastModifiedDate": modified, "SystemModstamp": modified}


_JSON_TYPES: dict[FieldType, tuple[type, ...]] = {
    FieldType.STRING: (str,), FieldType.ID: (str,), FieldType.DATE: (str,),
    FieldType.NUMBER: (int, float), FieldType.BOOLEAN: (bool,),
}


class SObjectTable:
    """All records of one sObject (deleted ones stay, flagged, as in the Recycle Bin)."""

    def __init__(self, spec: SObjectSpec, stamps: StampSource, records: list[SfRecord], next_number: int) -> None:
        self.spec = spec
        self._stamps = stamps
        self.records: dict[str, SfRecord] = {r.id: r for r in records}
        self._next_number = next_number
        self._lower = {name.lower(): name for name in spec.fields}
        self._by_external: dict[tuple[str, Any], str] = {}
        for record in records:
            self._index(record)

    def _index(self, record: SfRecord) -> None:
        for ext in self.spec.external_ids:
            value = record.values.get(ext)
            if value is not None:
                self._by_external[(ext, value)] = record.id

    def __iter__(self) -> Iterator[SfRecord]:
        return iter(self.records.values())

    def canonical_field(self, name: str) -> str | None:
        return self._lower.get(name.lower())

    def normalize(self, body: Any) -> dict[str, Any]:
        """Check a write body: known, writable fields with values of the right JSON type."""
        if not isinstance(body, dict):
            raise JsonParserError("Expected a JSON object for the record body")
        out: dict[str, Any] = {}
        for raw, value in body.items():
            if raw == "attributes":
                continue
            name = self.canonical_field(raw)
            if name is None:
                raise InvalidField(f"No such column '{raw}' on sobject of type {self.spec.name}", [raw])
            if name in READ_ONLY:
                raise InvalidFieldForInsert(f"Unable to create/update fields: {name}.", [name])
            if value is not None and not isinstance(value, _JSON_TYPES[self.spec.fields[name]]):
                raise JsonParserError(f"Cannot deserialize value for field {name}", [name])
            if self.spec.fields[name] is FieldType.NUMBER and isinstance(value, bool):
                raise JsonParserError(f"Cannot deserialize value for field {name}", [name])
            out[name] = value
        return out

    def _check_unique(self, values: dict[str, Any], own_id: str | None) -> None:
        for ext in self.spec.external_ids:
            value = values.get(ext)
            holder = self._by_external.get((ext, value)) if value is not None else None
            if holder is not None and holder != own_id and not self.records[holder].deleted:
                raise DuplicateValue(f"duplicate value found: {ext} duplicates value on record with id: {holder}",
                                     [ext])

    def get_live(self, record_id: str) -> SfRecord:
        record = self.records.get(record_id)
        if record is None:
            raise NotFound("The requested resource does not exist")
        if record.deleted:
            raise EntityIsDeleted("entity is deleted")
        return record

    def create(self, values: dict[str, Any]) -> SfRecord:
        """Insert a new record from normalized values."""
        missing = [f for f in self.spec.required if values.get(f) in (None, "")]
        if missing:
            raise RequiredFieldMissing(f"Required fields are missing: [{', '.join(missing)}]", missing)
        self._check_unique(values, None)
        self._next_number += 1
        full: dict[str, Any] = dict.fromkeys(stored_fields(self.spec.name))
        full.update(values)
        full["Id"] = make_id(self.spec.prefix, self._next_number)
        stamp = self._stamps.next()
        record = SfRecord(full, stamp, stamp)
        self.records[record.id] = record
        self._index(record)
        return record

    def update(
        self, record_id: str, changes: dict[str, Any], precondition: Callable[[SfRecord], bool] | None = None
    ) -> SfRecord:
        """Apply normalized changes; 412 when a precondition (If-Unmodified-Since) does not hold."""
        current = self.get_live(record_id)
        if precondition is not None and not precondition(current):
            raise PreconditionFailed("The requested resource has been modified since the If-Unmodified-Since time")
        merged = {**current.values, **changes}
        missing = [f for f in self.spec.required if merged.get(f) in (None, "")]
        if missing:
            raise RequiredFieldMissing(f"Required fields are missing: [{', '.join(missing)}]", missing)
        self._check_unique(merged, record_id)
        record = SfRecord(merged, self._stamps.next(), current.created)
        self.records[record_id] = record
        self._index(record)
        return record

    def delete(self, record_id: str, precondition: Callable[[SfRecord], bool] | None = None) -> SfRecord:
        """Soft delete: the record stays visible to queryAll with IsDeleted true and a new SystemModstamp."""
        current = self.get_live(record_id)
        if precondition is not None and not precondition(current):
            raise PreconditionFailed("The requested resource has been modified since the If-Unmodified-Since time")
        record = SfRecord(current.values, self._stamps.next(), current.created, deleted=True)
        self.records[record_id] = record
        return record

    def find_external(self, ext_field: str, value: Any) -> SfRecord | None:
        record_id = self._by_external.get((ext_field, value))
        record = self.records.get(record_id) if record_id else None
        return None if record is None or record.deleted else record

    def upsert(
        self, ext_field: str, value: str, changes: dict[str, Any], precondition: Callable[[SfRecord], bool] | None
    ) -> tuple[SfRecord, bool]:
        """Update the live record whose external id is `value`, or create it; returns (record, created)."""
        existing = self.find_external(ext_field, value)
        if existing is not None:
            return self.update(existing.id, changes, precondition), False
        return self.create({**changes, ext_field: value}), True

    def live_count(self) -> int:
        return sum(1 for r in self.records.values() if not r.deleted)
