"""The SOQL the adapter sends: one shape, so the cursor semantics hold and a simulator can parse it.

    SELECT <fields> FROM <sObject>
    [WHERE <modified> >= <floor> [AND <modified> <= <end>]]
    ORDER BY <modified> ASC, Id ASC

Ordering by the cursor field then ``Id`` makes every page's last record the high-water mark, so a
checkpoint after any page is safe.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from adapters.salesforce.spec import SALESFORCE
from core.errors import ConfigError

# sObject and field names: letters, digits, underscores; relationship paths use dots (Owner.Email).
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


def soql_datetime(value: datetime) -> str:
    """A SOQL dateTime literal in UTC, floored to the second (re-reading that second is harmless)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ConfigError(f"not a Salesforce field or object name: {name!r}", provider="salesforce")
    return name


def select_fields(fields: list[str] | None, modified_field: str, include_deleted: bool) -> list[str]:
    """The requested fields plus the ones the adapter needs, without duplicates, in a stable order."""
    needed = [SALESFORCE.id_field, modified_field, SALESFORCE.version_field]
    if include_deleted:
        needed.append(SALESFORCE.deleted_field)
    seen: dict[str, str] = {}
    for name in [*needed, *(fields or [])]:
        seen.setdefault(name.lower(), _checked(name))
    return list(seen.values())


def build_query(
    entity: str,
    fields: list[str] | None,
    modified_field: str,
    floor: datetime | None,
    end: datetime | None,
    include_deleted: bool,
) -> str:
    """The SOQL for one read; ``floor`` is the closed lower bound, ``end`` the optional upper one."""
    columns = ", ".join(select_fields(fields, modified_field, include_deleted))
    field = _checked(modified_field)
    clauses = []
    if floor is not None:
        clauses.append(f"{field} >= {soql_datetime(floor)}")
    if end is not None:
        clauses.append(f"{field} <= {soql_datetime(end)}")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"SELECT {columns} FROM {_checked(entity)}{where} ORDER BY {field} ASC, Id ASC"
