"""Executing parsed SOQL against the tables, and shaping records as the query resource returns them."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from sandbox.salesforce.errors import InvalidField, MalformedQuery
from sandbox.salesforce.records import SfRecord, SObjectTable
from sandbox.salesforce.schema import FieldType, SObjectSpec
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


def canonical(table: SObjectTable, name: str) -> str:
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
    name = canonical(table, cond.field)
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


# Fields that are never null sort by a C-level attribute getter (a full read sorts 100,000 rows).
_NEVER_NULL = {"Id": "id", "SystemModstamp": "modstamp", "LastModifiedDate": "modstamp", "CreatedDate": "created",
               "IsDeleted": "deleted"}


def _sort(rows: list[SfRecord], table: SObjectTable, order: tuple[OrderKey, ...]) -> None:
    names = [canonical(table, key.field) for key in order]
    if all(n in _NEVER_NULL for n in names) and len({k.descending for k in order}) == 1:
        rows.sort(key=operator.attrgetter(*(_NEVER_NULL[n] for n in names)), reverse=order[0].descending)
        return
    # Stable sorts from the last key to the first give a multi-key sort with mixed directions.
    for key, name in zip(reversed(order), reversed(names), strict=True):
        get, _ = _raw_getter(table.spec, name)
        nulls_high = key.nulls_last != key.descending

        def sort_key(r: SfRecord, get: Getter = get, nulls_high: bool = nulls_high) -> tuple[bool, Any]:
            value = get(r)
            return ((value is None) == nulls_high, value if value is not None else 0)

        rows.sort(key=sort_key, reverse=key.descending)


def select(state: SalesforceState, query: Query, include_deleted: bool) -> tuple[SObjectTable, list[SfRecord]]:
    """The matching record versions, filtered, ordered, offset and limited."""
    table = state.table(query.sobject)
    predicates = [_predicate(table, c) for c in query.where]
    rows = list(table) if include_deleted else [r for r in table if not r.deleted]
    for predicate in predicates:
        rows = [r for r in rows if predicate(r)]
    if query.order:
        _sort(rows, table, query.order)
    end = None if query.limit is None else query.offset + query.limit
    return table, rows[query.offset:end]
