"""Where the SQLite shard store keeps a shard's links to provider records.

A shard first seen through an integration has the id ``core.dedup.derive_shard_id`` gives that record, so
its link to it (its *origin* link) is found again by deriving the id: it lives in ``link_*`` columns of the
shard's own row and is read through the shard ids' unique index. Any other link (a shard matched by key to
another integration's record, a relationship added through the API) is a row of ``shard_links``.

Why: external ids arrive in the provider's modification order, so every index keyed by them takes a page's
writes scattered over nearly all of its leaves, and each commit rewrites those leaves (WAL, then
checkpoint). With origin links in the shard row, a first sync writes one such index (the shard ids'), not
two. Either way an external id of an integration names one shard: writing a link of one kind removes the
other kind's claim on the same external id (the last writer takes the link over, as before).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from core.dedup import cached_shard_id, may_be_derived
from stores.sqlite.rows import read_rows
from stores.tokens import chunks

IN_CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit

origin_id = cached_shard_id
"""The id a shard linked by origin to ``(tenant, integration, external id)`` has (``core.dedup``)."""


class OriginLink(NamedTuple):
    """The ``link_*`` column values of a shard row (all ``None``: no origin link)."""

    integration_id: str | None = None
    external_id: str | None = None
    system: str | None = None
    content_hash: str | None = None


NO_ORIGIN = OriginLink()


def split_links(tenant_id: str, doc: Mapping[str, Any]) -> tuple[OriginLink, list[Mapping[str, Any]]]:
    """A shard document's origin link and its other relationships."""
    origin, others, derivable = NO_ORIGIN, [], may_be_derived(doc["id"])
    for rel in doc.get("externalRelationships") or ():
        if (origin is NO_ORIGIN and derivable
                and doc["id"] == origin_id(tenant_id, rel["integrationId"], rel["externalId"])):
            origin = OriginLink(rel["integrationId"], rel["externalId"], rel["system"], rel.get("contentHash"))
        else:
            others.append(rel)
    return origin, others


def has_table_links(conn: sqlite3.Connection, tenant_id: str, integration_id: str) -> bool:
    """Whether ``shard_links`` holds any link of the integration (rarely: most links are origin links)."""
    row = conn.execute("SELECT 1 FROM shard_links WHERE tenant_id = ? AND integration_id = ? LIMIT 1",
                       (tenant_id, integration_id)).fetchone()
    return row is not None


def _marks(n: int) -> str:
    return ",".join("?" * n)


def linked(conn: sqlite3.Connection, tenant_id: str, integration_id: str, external_ids: Sequence[str],
           origin_columns: str, table_columns: str) -> Iterator[tuple[Any, ...]]:
    """The external id and columns of each linked shard of ``external_ids``: ``origin_columns`` (over the
    shard row ``s``) for origin links, ``table_columns`` (over ``s`` and the link row ``l``) for the others."""
    wanted = {origin_id(tenant_id, integration_id, ext): ext for ext in external_ids}
    found: set[str] = set()
    for part in chunks(list(wanted), IN_CHUNK):
        for row in read_rows(
            conn, f"s.id, {origin_columns}",
            f"FROM shards s WHERE s.tenant_id = ? AND s.id IN ({_marks(len(part))}) AND s.link_integration_id = ?",
            (tenant_id, *part, integration_id),
        ):
            found.add(wanted[row[0]])
            yield (wanted[row[0]], *row[1:])
    rest = [ext for ext in external_ids if ext not in found]
    if not rest or not has_table_links(conn, tenant_id, integration_id):
        return
    for part in chunks(rest, IN_CHUNK):
        yield from map(tuple, read_rows(
            conn, f"l.external_id, {table_columns}",
            "FROM shard_links l JOIN shards s ON s.tenant_id = l.tenant_id AND s.id = l.shard_id "
            f"WHERE l.tenant_id = ? AND l.integration_id = ? AND l.external_id IN ({_marks(len(part))})",
            (tenant_id, integration_id, *part),
        ))


def mark_seen(conn: sqlite3.Connection, tenant_id: str, integration_id: str, external_ids: Sequence[str],
              run_id: str) -> int:
    """Stamp the links of ``external_ids`` as seen by ``run_id``; how many there were."""
    touched = 0
    ids = [origin_id(tenant_id, integration_id, ext) for ext in external_ids]
    for part in chunks(ids, IN_CHUNK):
        touched += conn.execute(
            f"UPDATE shards SET link_run_id = ? WHERE tenant_id = ? AND id IN ({_marks(len(part))}) "
            "AND link_integration_id = ?", (run_id, tenant_id, *part, integration_id),
        ).rowcount
    if has_table_links(conn, tenant_id, integration_id):
        for part in chunks(list(external_ids), IN_CHUNK):
            touched += conn.execute(
                "UPDATE shard_links SET last_seen_run_id = ? WHERE tenant_id = ? AND integration_id = ? "
                f"AND external_id IN ({_marks(len(part))})", (run_id, tenant_id, integration_id, *part),
            ).rowcount
    return touched


# Shards of an integration (``?`` x 5: integration, run, tenant, integration, run) that ``run_id`` did not see.
UNSEEN = (
    "((link_integration_id = ? AND (link_run_id IS NULL OR link_run_id != ?)) OR id IN ("
    "SELECT shard_id FROM shard_links WHERE tenant_id = ? AND integration_id = ? "
    "AND (last_seen_run_id IS NULL OR last_seen_run_id != ?)))"
)


def origin_integrations(conn: sqlite3.Connection, tenant_id: str) -> list[str]:
    """Every integration that has written an origin link of the tenant (``shard_origins``)."""
    rows = conn.execute("SELECT integration_id FROM shard_origins WHERE tenant_id = ?", (tenant_id,))
    return [row[0] for row in rows]


def note_origins(conn: sqlite3.Connection, tenant_id: str, origins: Iterable[OriginLink]) -> None:
    """Record the integrations of origin links about to be written (once per integration and page)."""
    integrations = {origin.integration_id for origin in origins if origin.integration_id is not None}
    conn.executemany("INSERT OR IGNORE INTO shard_origins (tenant_id, integration_id) VALUES (?, ?)",
                     [(tenant_id, integration_id) for integration_id in integrations])


def external_filter(conn: sqlite3.Connection, tenant_id: str, system: str | None,
                    external_id: str | None) -> tuple[str, list[Any]]:
    """A condition on shard rows ``s``: linked (either way) to ``system`` and/or ``external_id``.

    With an external id, the shards that may hold it as their origin link are the ids derived from it for
    each integration in ``shard_origins``; with the ids the link table names they bound the shard ids, so
    the query reads a few rows through the ids' index instead of every row of the tenant.
    """
    origin, table, params_origin, params_table = [], ["l.tenant_id = ?"], [], [tenant_id]
    for column, value in (("system", system), ("external_id", external_id)):
        if value is not None:
            origin.append(f"s.link_{column} = ?")
            table.append(f"l.{column} = ?")
            params_origin.append(value)
            params_table.append(value)
    linked_by_table = f"SELECT l.shard_id FROM shard_links l WHERE {' AND '.join(table)}"
    sql = f"(({' AND '.join(origin)}) OR s.id IN ({linked_by_table}))"
    params = [*params_origin, *params_table]
    if external_id is None:
        return sql, params
    candidates = [origin_id(tenant_id, integration_id, external_id)
                  for integration_id in origin_integrations(conn, tenant_id)]
    derived = f"SELECT column1 FROM (VALUES {','.join(['(?)'] * len(candidates))}) UNION ALL " if candidates else ""
    return f"s.id IN ({derived}{linked_by_table}) AND {sql}", [*candidates, *params_table, *params]


def release_claims(conn: sqlite3.Connection, tenant_id: str, origins: Iterable[OriginLink],
                   table_links: Iterable[tuple[str, str, str]]) -> None:
    """Before writing links: drop the other kind's claim on the same external ids.

    ``origins``: the origin links about to be written (``NO_ORIGIN`` for none); ``table_links``: (integration
    id, external id, shard id) about to be written to ``shard_links``.
    """
    by_integration: dict[str, list[str]] = {}
    for origin in origins:
        if origin.integration_id is not None and origin.external_id is not None:
            by_integration.setdefault(origin.integration_id, []).append(origin.external_id)
    for integration_id, external_ids in by_integration.items():
        if has_table_links(conn, tenant_id, integration_id):
            conn.executemany(
                "DELETE FROM shard_links WHERE tenant_id = ? AND integration_id = ? AND external_id = ?",
                [(tenant_id, integration_id, ext) for ext in external_ids],
            )
    # The origin shards that claim the same external ids, found in one look-up per chunk, then released.
    claims = {(origin_id(tenant_id, integration_id, ext), integration_id, ext): shard_id
              for integration_id, ext, shard_id in table_links}
    released: list[tuple[str, str]] = []
    for part in chunks(list(claims), IN_CHUNK):
        for claim in conn.execute(
            f"SELECT id, link_integration_id, link_external_id FROM shards WHERE tenant_id = ? "
            f"AND id IN ({_marks(len(part))}) AND link_integration_id IS NOT NULL",
            (tenant_id, *(claim[0] for claim in part)),
        ):
            if claim in claims and claims[claim] != claim[0]:  # the same link, now another shard's
                released.append((tenant_id, claim[0]))
    conn.executemany(
        "UPDATE shards SET link_integration_id = NULL, link_external_id = NULL, link_system = NULL, "
        "link_hash = NULL, link_run_id = NULL WHERE tenant_id = ? AND id = ?", released,
    )
