"""Builds Cosmos SQL from the backend-neutral conditions of ``stores.documents``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stores.documents import Cond, Condition, In, Order
from stores.fields import checked_path

_OPS = {"=", "!=", "<", "<=", ">", ">="}


class QueryBuilder:
    """Accumulates named parameters while rendering conditions."""

    def __init__(self) -> None:
        self.parameters: list[dict[str, Any]] = []

    def param(self, value: Any) -> str:
        name = f"@p{len(self.parameters)}"
        self.parameters.append({"name": name, "value": value})
        return name

    def where(self, tenant_id: str | None, where: Sequence[Condition]) -> str:
        """``WHERE ...``; tenant-scoped queries always name the partition key first."""
        clauses: list[str] = []
        if tenant_id is not None:
            clauses.append(f"c.tenantId = {self.param(tenant_id)}")
        for cond in where:
            path = f"c.{checked_path(cond.field)}"
            if isinstance(cond, In):
                clauses.append(f"ARRAY_CONTAINS({self.param(list(cond.values))}, {path})")
            elif isinstance(cond, Cond) and cond.op in _OPS:
                clauses.append(f"{path} {cond.op} {self.param(cond.value)}")
            else:
                raise ValueError(f"unsupported condition {cond!r}")
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def select(
    tenant_id: str | None,
    where: Sequence[Condition],
    order_by: Sequence[Order] = (),
    limit: int | None = None,
    projection: str = "*",
) -> tuple[str, list[dict[str, Any]]]:
    """A full ``SELECT`` statement and its parameters."""
    builder = QueryBuilder()
    top = f"TOP {int(limit)} " if limit is not None else ""
    sql = f"SELECT {top}{projection} FROM c{builder.where(tenant_id, where)}"
    if order_by:
        sql += " ORDER BY " + ", ".join(
            f"c.{checked_path(o.field)} {'DESC' if o.descending else 'ASC'}" for o in order_by
        )
    return sql, builder.parameters
