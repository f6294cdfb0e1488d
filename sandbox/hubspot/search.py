"""The CRM search endpoint's request language: filterGroups (OR of ANDed filters), one sort, offset paging
capped at 10,000 results like the real service.

https://developers.hubspot.com/docs/api/crm/search
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.clock import parse_datetime_ms
from sandbox.hubspot.errors import ValidationError
from sandbox.hubspot.records import HsRecord
from sandbox.hubspot.schema import DATE_PROPERTIES

MAX_LIMIT = 200
RESULT_CAP = 10_000
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18
Predicate = Callable[[HsRecord], bool]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda a, b: a == b, "NEQ": lambda a, b: a != b, "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b, "GT": lambda a, b: a > b, "GTE": lambda a, b: a >= b,
}


def _coerce(name: str, value: Any) -> Any:
    """Filter values as comparable as the stored ones: dates as epoch ms (ms or ISO accepted), the id as int,
    strings case-insensitively (HubSpot's EQ ignores case)."""
    text = str(value)
    if name in DATE_PROPERTIES:
        try:
            return int(text) if text.lstrip("-").isdigit() else parse_datetime_ms(text)
        except ValueError as exc:
            raise ValidationError(f"{text} is not a valid date for {name}") from exc
    if name == "hs_object_id":
        if not text.isdigit():
            raise ValidationError(f"{text} is not a valid id")
        return int(text)
    return text.lower()


def _getter(name: str) -> Callable[[HsRecord], Any]:
    if name in DATE_PROPERTIES or name == "hs_object_id":
        return lambda r: r.raw(name)
    return lambda r: (lambda v: v.lower() if v is not None else None)(r.props.get(name))


def _filter(spec: Any) -> Predicate:
    if not isinstance(spec, dict) or "propertyName" not in spec or "operator" not in spec:
        raise ValidationError("each filter needs propertyName and operator")
    name, op = str(spec["propertyName"]), str(spec["operator"]).upper()
    get = _getter(name)
    if op == "HAS_PROPERTY":
        return lambda r: get(r) is not None
    if op == "NOT_HAS_PROPERTY":
        return lambda r: get(r) is None
    if op == "IN":
        allowed = {_coerce(name, v) for v in spec.get("values") or []}
        return lambda r: get(r) in allowed
    if op == "BETWEEN":
        low, high = _coerce(name, spec.get("value")), _coerce(name, spec.get("highValue"))
        return lambda r: (v := get(r)) is not None and low <= v <= high
    compare = _OPS.get(op)
    if compare is None or "value" not in spec:
        raise ValidationError(f"unsupported filter: {op}")
    target = _coerce(name, spec["value"])
    return lambda r: (v := get(r)) is not None and compare(v, target)


def predicate(body: dict[str, Any]) -> Predicate:
    """OR across filterGroups, AND inside each; no groups matches everything."""
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise ValidationError(f"at most {MAX_GROUPS} filterGroups are allowed")
    compiled: list[list[Predicate]] = []
    for group in groups:
        filters = group.get("filters") or [] if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS_PER_GROUP:
            raise ValidationError(f"at most {MAX_FILTERS_PER_GROUP} filters per group are allowed")
        compiled.append([_filter(f) for f in filters])
    if sum(len(g) for g in compiled) > MAX_FILTERS:
        raise ValidationError(f"at most {MAX_FILTERS} filters are allowed")
    if not compiled:
        return lambda r: True
    return lambda r: any(all(p(r) for p in group) for group in compiled)


def sort(rows: list[HsRecord], sorts: Any) -> None:
    """One sort, as `{"propertyName","direction"}` or a bare name (`-name` for descending); default by id."""
    if not sorts:
        return
    first = sorts[0] if isinstance(sorts, list) else sorts
    if isinstance(first, str):
        name, descending = first.lstrip("-"), first.startswith("-")
    elif isinstance(first, dict) and "propertyName" in first:
        name, descending = str(first["propertyName"]), str(first.get("direction", "ASCENDING")).upper() == "DESCENDING"
    else:
        raise ValidationError("sorts must name a propertyName")
    get = _getter(name)
    rows.sort(key=lambda r: ((v := get(r)) is None, v if v is not None else 0, r.id), reverse=descending)


def window(body: dict[str, Any], total: int) -> tuple[int, int]:
    """(offset, limit) from `after` and `limit`, refusing pages beyond the 10,000-result cap."""
    try:
        limit = int(body.get("limit") or 10)
        offset = int(body.get("after") or 0)
    except (TypeError, ValueError) as exc:
        raise ValidationError("limit and after must be integers") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset >= RESULT_CAP:
        raise ValidationError(f"The maximum number of results a search can return is {RESULT_CAP}; "
                              "narrow the query (e.g. window by hs_lastmodifieddate)")
    return offset, min(limit, RESULT_CAP - offset, max(total - offset, 0))
