"""The OData query options the sandbox understands: `$select`, `$filter` (comparisons joined by `and`),
`$orderby`, `$top`; and rows shaped as the Web API returns them.

https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.clock import iso_datetime, parse_datetime_ms
from sandbox.dataverse.errors import InvalidArgument, InvalidProperty
from sandbox.dataverse.records import DvRecord
from sandbox.dataverse.schema import EntitySpec, Kind, kind_of

_CONDITION = re.compile(
    r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<op>eq|ne|gt|ge|lt|le)\s+"
    r"(?P<value>'(?:[^']|'')*'|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9:]+)|[A-Za-z0-9.\-]+)\s*",
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}


def seconds(ms: int) -> int:
    """Dataverse dateTimes have second resolution: comparisons use what clients see."""
    return ms // 1000 * 1000


def datetime_text(ms: int) -> str:
    return iso_datetime(ms)[:19] + "Z"


def getter(spec: EntitySpec, name: str) -> Callable[[DvRecord], Any]:
    if name == spec.key:
        return lambda r: r.id
    if name == "modifiedon":
        return lambda r: seconds(r.modified)
    if name == "createdon":
        return lambda r: seconds(r.created)
    if name == "versionnumber":
        return lambda r: r.version
    if name not in spec.attributes:
        raise InvalidProperty(f"Could not find a property named '{name}' on type "
                              f"'Microsoft.Dynamics.CRM.{spec.logical}'.")
    return lambda r: r.values.get(name)


def _literal(kind: Kind, text: str) -> Any:
    if text == "null":
        return None
    if kind is Kind.DATETIME:
        return parse_datetime_ms(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if kind is Kind.GUID:
        return text.lower()
    try:
        return float(text) if "." in text else int(text)
    except ValueError as exc:
        raise InvalidArgument(f"Syntax error at '{text}' in $filter.") from exc


def predicate(spec: EntitySpec, text: str) -> Callable[[DvRecord], bool]:
    """A `$filter` of `name op literal` conditions joined by `and`."""
    checks = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CONDITION.fullmatch(part)
        if match is None:
            raise InvalidArgument(f"The sandbox does not understand the $filter clause '{part}'.")
        name = match["name"]
        get, kind = getter(spec, name), kind_of(spec, name) or Kind.STRING
        compare, value = _OPS[match["op"]], _literal(kind, match["value"])
        checks.append(_check(get, compare, value, match["op"]))
    return lambda r: all(check(r) for check in checks)


def _check(get: Callable[[DvRecord], Any], compare: Callable[[Any, Any], bool], value: Any,
           op: str) -> Callable[[DvRecord], bool]:
    if value is None:  # `eq null` / `ne null`
        return lambda r: (get(r) is None) == (op == "eq")
    return lambda r: (x := get(r)) is not None and compare(x, value)


def sort(spec: EntitySpec, rows: list[DvRecord], text: str) -> None:
    keys = []
    for part in text.split(","):
        name, _, direction = part.strip().partition(" ")
        keys.append((getter(spec, name), direction.strip().lower() == "desc"))
    for get, descending in reversed(keys):
        rows.sort(key=_sort_key(get), reverse=descending)


def _sort_key(get: Callable[[DvRecord], Any]) -> Callable[[DvRecord], tuple[bool, Any]]:
    return lambda r: ((v := get(r)) is None, v if v is not None else 0)


def select(spec: EntitySpec, text: str | None) -> list[str] | None:
    if not text:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        getter(spec, name)  # raises for unknown properties
    return names


def row(spec: EntitySpec, record: DvRecord, names: list[str] | None) -> dict[str, Any]:
    """The row as JSON: `@odata.etag` and the key always, then the selected (or all) attributes."""
    out: dict[str, Any] = {"@odata.etag": record.etag, spec.key: record.id}
    wanted = names if names is not None else [*spec.attributes, "createdon", "modifiedon", "versionnumber"]
    for name in wanted:
        if name == "modifiedon":
            out[name] = datetime_text(record.modified)
        elif name == "createdon":
            out[name] = datetime_text(record.created)
        elif name == "versionnumber":
            out[name] = record.version
        elif name != spec.key:
            out[name] = record.values.get(name)
    return out
