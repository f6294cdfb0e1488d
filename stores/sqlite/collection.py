"""``DocumentCollection`` on SQLite: one table per collection, the body as compact JSON text."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import pydantic_core

from stores.documents import Cond, Condition, In, Order, Stored
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.fields import checked_path
from stores.sqlite.connection import SqliteDatabase

_COLUMNS = {"tenantId": "tenant_id", "id": "id"}


def dumps(body: Any) -> str:
    """Compact JSON, the storage format of every SQLite body."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _encode(doc: dict[str, Any]) -> str:
    """``dumps`` three times faster (pydantic-core's encoder; the text differs only in how float exponents
    are spelled, ``1e-5`` for ``1e-05``): every webhook delivery writes two documents."""
    return pydantic_core.to_json(doc).decode()


def new_etag() -> str:
    return os.urandom(16).hex()  # 32 random hex digits, as uuid4().hex gave, for a third of the time


def _expr(field: str) -> str:
    if field in _COLUMNS:
        return _COLUMNS[field]
    return f"json_extract(body, '$.{checked_path(field)}')"


def where_sql(tenant_id: str | None, where: Sequence[Condition]) -> tuple[str, list[Any]]:
    """The WHERE clause (always present) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if tenant_id is not None:
        clauses.append("tenant_id = ?")
        params.append(tenant_id)
    for cond in where:
        if isinstance(cond, In):
            if not cond.values:
                clauses.append("0")
                continue
            clauses.append(f"{_expr(cond.field)} IN ({','.join('?' * len(cond.values))})")
            params.extend(cond.values)
        else:
            clauses.append(f"{_expr(cond.field)} {_op(cond)} ?")
            params.append(cond.value)
    return " WHERE " + (" AND ".join(clauses) if clauses else "1"), params


def _op(cond: Cond) -> str:
    if cond.op not in ("=", "!=", "<", "<=", ">", ">="):
        raise ValueError(f"unsupported operator {cond.op!r}")
    return cond.op


def _index_sql(name: str, table: str, fields: Sequence[str]) -> str:
    """The index's ``CREATE INDEX`` statement as SQLite keeps it in ``sqlite_master``."""
    sql = f"CREATE INDEX {name} ON {table} ({', '.join(_expr(f) for f in fields)})"
    json_fields = [f for f in fields if f not in _COLUMNS]
    if len(fields) > 1 and json_fields and json_fields[0] != fields[-1]:
        sql += f" WHERE {_expr(json_fields[0])} IS NOT NULL"
    return sql


class SqliteCollection:
    """Documents of one collection in table ``doc_<name>``, keyed by (tenant_id, id)."""

    def __init__(self, db: SqliteDatabase, name: str, indexes: Sequence[Sequence[str]] = ()) -> None:
        """``indexes``: field paths per index (``tenantId`` is the column); the store's queries
        filter and sort on the same expressions, so SQLite uses them instead of scanning.

        A composite index serves lookups by equality on its leading fields: one whose first JSON field is
        followed by others holds only the documents that have that field (a partial index). Documents of
        another shape in the same collection (the webhook inbox beside its registrations) then write no
        entry into it: an entry is a page written by every commit that adds one. A query that filters the
        field with a comparison still uses the index; one that only sorts by it does not.
        An existing database whose index differs from the one declared has it rebuilt on open.
        """
        self._db = db
        self._table = f"doc_{checked_path(name)}"
        declared = {f"{self._table}_ix{n}": _index_sql(f"{self._table}_ix{n}", self._table, fields)
                    for n, fields in enumerate(indexes)}
        script = f"""CREATE TABLE IF NOT EXISTS {self._table} (
                    tenant_id TEXT NOT NULL, id TEXT NOT NULL, etag TEXT NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, id)) WITHOUT ROWID;"""
        for sql in declared.values():
            script += "\n" + sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1) + ";"
        db.ensure_schema(self._table, script)
        if self._stale_indexes(declared):
            with db.write() as conn:  # one process rebuilds; the others find them current once it commits
                for index in self._stale_indexes(declared):
                    conn.execute(f"DROP INDEX IF EXISTS {index}")
                    conn.execute(declared[index])

    def _stale_indexes(self, declared: dict[str, str]) -> list[str]:
        found = dict(self._db.connection().execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (self._table,)).fetchall())
        return [index for index, sql in declared.items() if found.get(index) != sql]

    def _with_keys(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "id": doc_id, "tenantId": tenant_id}

    def get(self, tenant_id: str, doc_id: str) -> Stored | None:
        row = self._db.connection().execute(
            f"SELECT body, etag FROM {self._table} WHERE tenant_id = ? AND id = ?", (tenant_id, doc_id)
        ).fetchone()
        return Stored(json.loads(row[0]), row[1]) if row else None

    def create(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> Stored:
        doc, etag = self._with_keys(tenant_id, doc_id, body), new_etag()
        with self._db.write() as conn:
            cur = conn.execute(
                f"INSERT OR IGNORE INTO {self._table} (tenant_id, id, etag, body) VALUES (?, ?, ?, ?)",
                (tenant_id, doc_id, etag, _encode(doc)),
            )
            if cur.rowcount == 0:
                raise RecordExists(f"{self._table} {doc_id!r} already exists")
        return Stored(doc, etag)

    def upsert(self, tenant_id: str, doc_id: str, body: dict[str, Any]) -> tuple[Stored, bool]:
        doc, etag = self._with_keys(tenant_id, doc_id, body), new_etag()
        with self._db.write() as conn:
            existed = conn.execute(
                f"SELECT 1 FROM {self._table} WHERE tenant_id = ? AND id = ?", (tenant_id, doc_id)
            ).fetchone()
            conn.execute(
                f"INSERT OR REPLACE INTO {self._table} (tenant_id, id, etag, body) VALUES (?, ?, ?, ?)",
                (tenant_id, doc_id, etag, _encode(doc)),
            )
        return Stored(doc, etag), existed is None

    def replace(self, tenant_id: str, doc_id: str, body: dict[str, Any], if_match: str | None) -> Stored:
        doc, etag = self._with_keys(tenant_id, doc_id, body), new_etag()
        with self._db.write() as conn:
            row = conn.execute(
                f"SELECT etag FROM {self._table} WHERE tenant_id = ? AND id = ?", (tenant_id, doc_id)
            ).fetchone()
            if row is None:
                raise RecordNotFound(f"{self._table} {doc_id!r} not found")
            if if_match is not None and row[0] != if_match:
                raise StaleETag(f"{self._table} {doc_id!r} changed since it was read")
            conn.execute(
                f"UPDATE {self._table} SET etag = ?, body = ? WHERE tenant_id = ? AND id = ?",
                (etag, _encode(doc), tenant_id, doc_id),
            )
        return Stored(doc, etag)

    def delete(self, tenant_id: str, doc_id: str) -> bool:
        with self._db.write() as conn:
            cur = conn.execute(f"DELETE FROM {self._table} WHERE tenant_id = ? AND id = ?", (tenant_id, doc_id))
        return cur.rowcount > 0

    def query(
        self,
        tenant_id: str | None,
        where: Sequence[Condition] = (),
        order_by: Sequence[Order] = (),
        limit: int | None = None,
    ) -> list[Stored]:
        clause, params = where_sql(tenant_id, where)
        sql = f"SELECT body, etag FROM {self._table}{clause}"
        if order_by:
            sql += " ORDER BY " + ", ".join(f"{_expr(o.field)} {'DESC' if o.descending else 'ASC'}" for o in order_by)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self._db.connection().execute(sql, params).fetchall()
        return [Stored(json.loads(body), etag) for body, etag in rows]

    def delete_where(self, tenant_id: str | None, where: Sequence[Condition]) -> int:
        clause, params = where_sql(tenant_id, where)
        with self._db.write() as conn:
            cur = conn.execute(f"DELETE FROM {self._table}{clause}", params)
        return cur.rowcount
