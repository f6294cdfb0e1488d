"""``ShardStore`` on SQLite: a page is one transaction of a few statements (``stores.sqlite.rows``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from core.models import Shard, shard_document
from stores.errors import RecordExists, RecordNotFound, StaleETag
from stores.shards import LinkInfo, PageIndex, ShardPage, UpsertCounts
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.shard_links import IN_CHUNK, UNSEEN, external_filter, linked, mark_seen
from stores.sqlite.shard_schema import SHARD_SCHEMA, migrate, order_shards
from stores.sqlite.shard_writes import existing_ids, page_etag_prefix, remove_shard_rows, write_documents
from stores.tokens import chunks, decode_after, encode_after, wire_time

_PROTECTED = frozenset({"id", "tenantId", "etag"})


def decode_seq(token: str) -> int:
    """The insert position a ``query`` token continues after; ``ValueError`` for any other token."""
    after = decode_after(token)
    if not after.isdigit():
        raise ValueError("invalid continuation token")
    return int(after)


def _load(body: str, etag: str) -> Shard:
    shard = Shard.model_validate_json(body)
    shard.etag = etag
    return shard


class SqliteShardStore:
    """Shards in the ``shards``/``shard_links``/``shard_keys`` tables of one SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        order_shards(db.connection())
        db.ensure_schema("shards", SHARD_SCHEMA)
        migrate(db.connection())

    @property
    def database(self) -> SqliteDatabase:
        """The database file, for stores that must write in the same transaction (the outbox)."""
        return self._db

    def get(self, tenant_id: str, shard_id: str) -> Shard | None:
        row = self._db.connection().execute(
            "SELECT body, etag FROM shards WHERE tenant_id = ? AND id = ?", (tenant_id, shard_id)
        ).fetchone()
        return _load(*row) if row else None

    def query(
        self,
        tenant_id: str,
        *,
        shard_type_id: str | None = None,
        external_system: str | None = None,
        external_id: str | None = None,
        limit: int = 100,
        continuation_token: str | None = None,
        include_deleted: bool = False,
    ) -> ShardPage:
        sql = "SELECT s.body, s.etag, s.seq FROM shards s WHERE s.tenant_id = ?"
        params: list[Any] = [tenant_id]
        if shard_type_id is not None:  # by external id, a filter on the candidate rows, not the index to walk
            sql += " AND +s.shard_type_id = ?" if external_id is not None else " AND s.shard_type_id = ?"
            params.append(shard_type_id)
        if not include_deleted:
            sql += " AND s.deleted = 0"
        if external_system is not None or external_id is not None:
            condition, values = external_filter(self._db.connection(), tenant_id, external_system, external_id)
            sql += f" AND {condition}"
            params.extend(values)
        if continuation_token:
            sql += " AND s.seq > ?"
            params.append(decode_seq(continuation_token))
        # Insert order: the indexes by type and tenant are append-only. By external id the few candidate rows
        # come through the ids' index and are sorted (``+``: not the walk of every row in seq order).
        sql += " ORDER BY +s.seq LIMIT ?" if external_id is not None else " ORDER BY s.seq LIMIT ?"
        params.append(limit + 1)
        rows = self._db.connection().execute(sql, params).fetchall()
        items = [_load(body, etag) for body, etag, _ in rows[:limit]]
        token = encode_after(str(rows[limit - 1][2])) if len(rows) > limit else None
        return ShardPage(items, token)

    def create(self, tenant_id: str, shard: Shard) -> Shard:
        shard = shard.model_copy(update={"tenant_id": tenant_id})
        with self._db.write() as conn:
            if existing_ids(conn, tenant_id, [shard.id]):
                raise RecordExists(f"shard {shard.id!r} already exists")
            [etag] = write_documents(conn, tenant_id, [shard_document(shard)], set(), None)
        return shard.model_copy(update={"etag": etag})

    def patch(self, tenant_id: str, shard_id: str, changes: Mapping[str, Any], if_match: str | None = None) -> Shard:
        bad = _PROTECTED.intersection(changes)
        if bad:
            raise ValueError(f"cannot patch {sorted(bad)}")
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT body, etag FROM shards WHERE tenant_id = ? AND id = ?", (tenant_id, shard_id)
            ).fetchone()
            if row is None:
                raise RecordNotFound(f"shard {shard_id!r} not found")
            if if_match is not None and row[1] != if_match:
                raise StaleETag(f"shard {shard_id!r} changed since it was read")
            current = _load(*row)
            updated = Shard.model_validate({**current.model_dump(mode="json", by_alias=True), **changes})
            kept = {(r.integration_id, r.external_id) for r in updated.external_relationships}
            dropped = [(r.integration_id, r.external_id, shard_id) for r in current.external_relationships
                       if (r.integration_id, r.external_id) not in kept]
            [etag] = write_documents(conn, tenant_id, [shard_document(updated)], {shard_id}, None,
                                     dropped_links=dropped)
        return updated.model_copy(update={"etag": etag})

    def delete(self, tenant_id: str, shard_id: str, *, soft: bool = False, now: datetime | None = None) -> bool:
        if not soft:
            with self._db.write() as conn:
                return remove_shard_rows(conn, tenant_id, shard_id)
        if now is None:
            raise ValueError("a soft delete needs now")
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE shards SET deleted = 1, etag = ?, body = json_set(body, '$.deletedAt', ?) "
                "WHERE tenant_id = ? AND id = ?",
                (page_etag_prefix(), wire_time(now), tenant_id, shard_id),
            )
        return cur.rowcount > 0

    def find_by_external_ids(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str]
    ) -> dict[str, Shard]:
        """Linked shards by external id, soft-deleted ones included (a record may come back)."""
        rows = linked(self._db.connection(), tenant_id, integration_id, external_ids, "s.body, s.etag",
                      "s.body, s.etag")
        return {ext: _load(body, etag) for ext, body, etag in rows}

    def find_documents_by_external_ids(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        rows = linked(self._db.connection(), tenant_id, integration_id, external_ids, "s.body", "s.body")
        return {ext: orjson.loads(body) for ext, body in rows}

    def find_links(
        self, tenant_id: str, integration_id: str, external_ids: Sequence[str], *, bodies: bool = False
    ) -> dict[str, LinkInfo]:
        # The body is in the row the link is read from: asking for it costs a string per row, not a second
        # read of rows scattered over the table (an update's records arrive in the provider's order).
        body = ", s.body" if bodies else ""
        rows = linked(self._db.connection(), tenant_id, integration_id, external_ids,
                      "s.id, s.link_hash, s.deleted, s.shard_type_id" + body,
                      "l.shard_id, l.content_hash, s.deleted, s.shard_type_id" + body)
        if bodies:
            return {ext: LinkInfo(shard_id, digest, bool(deleted), kind, text)
                    for ext, shard_id, digest, deleted, kind, text in rows}
        return {ext: LinkInfo(shard_id, digest, bool(deleted), kind) for ext, shard_id, digest, deleted, kind in rows}

    def find_by_keys(self, tenant_id: str, shard_type_id: str, key_name: str, values: Sequence[str]) -> list[Shard]:
        """Live shards indexed under any of ``values`` for ``key_name``, each once."""
        found: dict[str, Shard] = {}
        conn = self._db.connection()
        for part in chunks(list(values), IN_CHUNK):
            rows = conn.execute(
                "SELECT DISTINCT s.id, s.body, s.etag FROM shard_keys k JOIN shards s "
                "ON s.tenant_id = k.tenant_id AND s.id = k.shard_id WHERE k.tenant_id = ? AND k.shard_type_id = ? "
                f"AND k.key_name = ? AND k.key_value IN ({','.join('?' * len(part))}) AND s.deleted = 0",
                (tenant_id, shard_type_id, key_name, *part),
            )
            found.update((shard_id, _load(body, etag)) for shard_id, body, etag in rows)
        return list(found.values())

    def upsert_many(self, tenant_id: str, shards: Sequence[Shard], index: PageIndex | None = None) -> UpsertCounts:
        return self.upsert_documents(tenant_id, [shard_document(s) for s in shards], index)

    def upsert_documents(
        self, tenant_id: str, docs: Sequence[Mapping[str, Any]], index: PageIndex | None = None
    ) -> UpsertCounts:
        foreign = [d["id"] for d in docs if d.get("tenantId") != tenant_id]
        if foreign:
            raise ValueError(f"shards of another tenant in the page: {foreign[:5]}")
        with self._db.write() as conn:
            # Which ids exist matters only to re-index keys; the counts come from the rowids instead, which
            # the write lock keeps ours: a new row's is above the largest before it.
            keyed = index is not None and index.key_name is not None
            existing = existing_ids(conn, tenant_id, [d["id"] for d in docs]) if keyed else set()
            (last,) = conn.execute("SELECT coalesce(max(seq), 0) FROM shards").fetchone()
            write_documents(conn, tenant_id, docs, existing, index)
            (created,) = conn.execute("SELECT count(*) FROM shards WHERE seq > ?", (last,)).fetchone()
        return UpsertCounts(created=created, updated=len(docs) - created)

    def mark_seen(self, tenant_id: str, integration_id: str, external_ids: Sequence[str], run_id: str) -> int:
        with self._db.write() as conn:
            return mark_seen(conn, tenant_id, integration_id, external_ids, run_id)

    def mark_deleted_except(
        self, tenant_id: str, integration_id: str, shard_type_id: str, run_id: str, now: datetime
    ) -> int:
        # One statement: the unseen set never leaves the database.
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE shards SET deleted = 1, etag = ? || id, body = json_set(body, '$.deletedAt', ?) "
                f"WHERE tenant_id = ? AND shard_type_id = ? AND deleted = 0 AND {UNSEEN}",
                (page_etag_prefix(), wire_time(now), tenant_id, shard_type_id,
                 integration_id, run_id, tenant_id, integration_id, run_id),
            )
        return cur.rowcount
