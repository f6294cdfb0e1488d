"""A page of rows in a few statement steps: multi-row ``VALUES`` writes, and reads as one JSON array.

The sqlite3 module lets go of the GIL around every step of a statement, and ``executemany`` steps once per
row. Each time the writer wants the GIL back it waits for the thread holding it to let go (up to the switch
interval), so a page of 2,000 rows written while another activity of the worker runs Python waits 2,000
times: with one busy thread beside it, saving a page of new shards took about a second instead of 27 ms.
One statement per ``ROWS_PER_STATEMENT`` rows lets go of the GIL a few times per page, each time for a long
stretch of SQLite's own work, which the other threads use meanwhile. Rows are applied in order, as with
``executemany``: a later row's upsert sees an earlier row of the same statement.

Reading is the same: a cursor steps once per row. ``read_rows`` has SQLite gather the rows into one JSON
array (``json_group_array``), one step; beside a busy thread, the look-ups of a page of 2,000 unchanged
records took about 950 ms instead of 23 ms before.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from stores.tokens import chunks

ROWS_PER_STATEMENT = 500


@functools.lru_cache(maxsize=64)
def _statement(template: str, width: int, count: int) -> str:
    group = f"({','.join('?' * width)})"
    return template.replace("{rows}", ",".join([group] * count))


def write_rows(conn: sqlite3.Connection, template: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``template`` for ``rows``: its ``{rows}`` stands where ``VALUES`` takes its row groups (all rows
    have the same width), e.g. ``INSERT INTO t (a, b) VALUES {rows} ON CONFLICT (a) DO UPDATE SET ...``."""
    if not rows:
        return
    width = len(rows[0])
    # Within the library's bound on parameters per statement (32,766 by default since SQLite 3.32, 999 before).
    per_statement = max(1, min(ROWS_PER_STATEMENT, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    for part in chunks(rows, per_statement):
        conn.execute(_statement(template, width, len(part)), [value for row in part for value in row])


def read_rows(conn: sqlite3.Connection, columns: str, rest: str, params: Sequence[Any]) -> list[list[Any]]:
    """The rows of ``SELECT {columns} {rest}`` in one step, each a list of the column values (JSON types:
    text, integers, reals and NULLs; not blobs)."""
    (text,) = conn.execute(f"SELECT json_group_array(json_array({columns})) {rest}", params).fetchone()
    return orjson.loads(text)  # type: ignore[no-any-return]
