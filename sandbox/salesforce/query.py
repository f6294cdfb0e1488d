"""Executing parsed SOQL against the tables, and shaping records as the query resource returns them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.salesforce.errors import InvalidField, MalformedQuery
from sandbox.salesforce.records import SfRecord, SObjectTable
from sandbox.salesforce.schema import SPECS, FieldType, SObjectSpec
from sandbox.salesforce.soql import Condition, DateTimeLiteral, OrderKey, Query
from sandbox.salesforce.state import SalesforceState

Getter = Callable[[SfRecord], Any]
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _raw_getter(spec: SObjectSpec, name: str) -> tuple[Getter, FieldType]:
    """A comparable accessor: dateTimes as epoch ms, booleans as bool, the rest as stored."""
    if name in ("LastModifiedDate", "SystemModstamp"):
        return (lambda r: r.modstamp), FieldType.DATETIME
    if name == "CreatedDate":
        return (lambda r: r.created), FieldType.DATETIME
    if name == "IsDeleted":
        return (lambda r: r.deleted), FieldType.BOOLEAN
    return (lambda r: r.values.get(name)), spec.fields[name]


def _canonical(table: SObjectTable, name: str) -> str:
    canonical = table.canonical_field(name)
    if canonical is None:
        raise InvalidField(f"No such column '{name}' on entity '{table.spec.name}'.", [name])
    return canonical


def _literal(value: Any, ftype: FieldType, field: str) -> Any:
    if ftype is FieldType.DATETIME:
        if not isinstance(value, DateTimeLiteral):
            raise MalformedQuery(f"value of filter criterion for field '{field}' must be of type dateTime "
                                 "and should not be enclosed in quotes")
        return value.ms
    if isinstance(value, DateTimeLiteral):
        raise MalformedQuery(f"field '{field}' is not a dateTime")
    return value


def _predicate(table: SObjectTable, cond: Condition) -> Callable[[SfRecord], bool]:
    if "." in cond.field:
        raise MalformedQuery("the sandbox does not filter on relationship fields")
    name = _canonical(table, cond.field)
    get, ftype = _raw_getter(table.spec, name)
    values = tuple(_literal(v, ftype, name) for v in cond.values)
    if cond.op == "IN":
        allowed = set(values)
        return lambda r: get(r) in allowed
    compare, target = _COMPARE[cond.op], values[0]
    if target is None:
        return (lambda r: get(r) is None) if cond.op == "=" else (lambda r: get(r) is not None)
    if cond.op in ("=", "!="):
        return lambda r: compare(get(r), target)

    def ordered(record: SfRecord) -> bool:
        value = get(record)
        return value is not None and compare(value, target)

    return ordered


def _sort(rows: list[SfRecord], table: SObjectTable, order: tuple[OrderKey, ...]) -> None:
    # Stable sorts from the last key to the first give a multi-key sort with mixed directions.
    for key in reversed(order):
        get, _ = _raw_getter(table.spec, _canonical(table, key.field))
        nulls_high = key.nulls_last != key.descending

        def sort_key(r: SfRecord, get: Getter = get, nulls_high: bool = nulls_high) -> tuple[bool, Any]:
            value = get(r)
            return ((value is None) == nulls_high, value if value is not None else 0)

        rows.sort(key=sort_key, reverse=key.descending)


def select(state: SalesforceState, query: Query, include_deleted: bool) -> tuple[SObjectTable, list[SfRecord]]:
    """The matching record versions, filtered, ordered, offset and limited."""
    table = state.table(query.sobject)
    predicates = [_predicate(table, c) for c in query.where]
    rows = [r for r in table if (include_deleted or not r.deleted) and all(p(r) for p in predicates)]
    if query.order:
        _sort(rows, table, query.order)
    end = None if query.limit is None else query.offset + query.limit
    return table, rows[query.offset:end]


class Projector:
    """Turns records into the query resource's JSON objects for one field list (built once per cursor)."""

    def __init__(self, state: SalesforceState, table: SObjectTable, fields: tuple[str, ...], version: str) -> None:
        self._state, self._version, self.sobject = state, version, table.spec.name
        self._plain: list[str] = []
        self._related: dict[str, tuple[str, str, list[str]]] = {}  # rel -> (target, id field, fields)
        for raw in fields:
            if "." in raw:
                self._add_relationship(table.spec, raw)
            else:
                name = _canonical(table, raw)
                if name not in self._plain:
                    self._plain.append(name)
        self.fields = tuple(self._plain)

    def _add_relationship(self, spec: SObjectSpec, path: str) -> None:
        rel_raw, _, field_raw = path.partition(".")
        rel = next((r for r in spec.relationships if r.lower() == rel_raw.lower()), None)
        if rel is None or "." in field_raw:
            raise InvalidField(f"Didn't understand relationship '{rel_raw}' in field path.", [path])
        target, id_field = spec.relationships[rel]
        target_fields = SPECS[target].fields
        name = next((f for f in target_fields if f.lower() == field_raw.lower()), None)
        if name is None:
            raise InvalidField(f"No such column '{field_raw}' on entity '{target}'.", [path])
        entry = self._related.setdefault(rel, (target, id_field, []))
        if name not in entry[2]:
            entry[2].append(name)

    def url(self, sobject: str, record_id: str) -> str:
        return f"/services/data/v{self._version}/sobjects/{sobject}/{record_id}"

    def __call__(self, record: SfRecord) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": self.sobject, "url": self.url(self.sobject, record.id)}}
        for name in self._plain:
            out[name] = record.get(name)
        for rel, (target, id_field, names) in self._related.items():
            related_id = record.values.get(id_field)
            related = self._state.table(target).records.get(related_id) if related_id else None
            if related is None or related.deleted:
                out[rel] = None
                continue
            nested: dict[str, Any] = {"attributes": {"type": target, "url": self.url(target, related.id)}}
            for name in names:
                nested[name] = related.get(name)
            out[rel] = nested
        return out
