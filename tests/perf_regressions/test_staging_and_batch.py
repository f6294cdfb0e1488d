"""Staging (orjson, or json for what orjson refuses) reads back exactly what was put, as files (the embedded
default) and as rows of the earlier versions' database, and rows staged by still earlier versions; new shards'
documents built from one template equal shards built and validated one at a time, in page order, with the same
error when invalid."""

from __future__ import annotations

import json
import math
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgpack
import pytest
from pydantic import ValidationError

from core.dedup import Decision, DedupAction, Incoming
from core.inbound import PageContext, RemoteMeta, _new_shard, apply_page
from core.models import ConflictResolution, SyncDirection, shard_document
from stores.files.staging import FileStagingStore
from stores.sqlite.connection import SqliteDatabase
from stores.sqlite.staging import SqliteStagingStore
from stores.staging import StagingStore


class Staged:
    """A staging store of the embedded backend and a look at the body it stored for a key."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        if kind == "files":  # the embedded default
            self.store: StagingStore = FileStagingStore(tmp_path / "staging")
        else:  # the earlier versions' database, still read after an upgrade
            self.db = SqliteDatabase(tmp_path / "s.db")
            self.store = SqliteStagingStore(self.db)
        self.root = tmp_path / "staging"

    def body(self, key: str) -> bytes:
        if self.kind == "files":
            return (self.root / "t1.tenant" / f"{quote(key, safe='')}.page").read_bytes()
        (body,) = self.db.connection().execute("SELECT body FROM staging WHERE key = ?", (key,)).fetchone()
        assert isinstance(body, bytes)
        return body


STORES = ["files", "sqlite"]


@pytest.mark.parametrize("kind", STORES)
@pytest.mark.parametrize("big", [7, 10**20], ids=["orjson", "json-fallback"])
def test_staging_round_trip_is_exact(tmp_path: Path, big: int, kind: str) -> None:
    staged = Staged(kind, tmp_path)
    staging = staged.store
    data = {"name": "Zoë 東京 \u0000", "x": 1.5, "neg": -2**63, "big": big, "none": None, "t": True, "f": 0.1,
            "list": [True, {"k": "v"}, []]}
    page: list[dict[str, Any]] = [{"id": f"r{i}", "data": {**data, "n": i}} for i in range(500)]
    staging.put("t1", "run/0/1/raw", page)
    got = staging.get("t1", "run/0/1/raw")
    assert got is not None and got == page and got == json.loads(json.dumps(page))
    assert [type(v) for v in got[3]["data"].values()] == [type(v) for v in dict(page[3]["data"]).values()]
    assert staging.get("t2", "run/0/1/raw") is None
    body = staged.body("run/0/1/raw")
    assert body[:1] == (b"o" if big == 7 else b"j")
    # Not JSON numbers: orjson reads them back as null, as the shard store writes them (the json fallback
    # keeps them).
    staging.put("t1", "nan", [{"v": float("nan"), "w": float("-inf"), "big": big}])
    back = staging.get("t1", "nan")
    assert back is not None
    if big == 7:
        assert back[0] == {"v": None, "w": None, "big": 7}
    else:
        assert math.isnan(back[0]["v"]) and back[0]["w"] == float("-inf")


@pytest.mark.parametrize("kind", STORES)
def test_what_json_cannot_stage_still_fails(tmp_path: Path, kind: str) -> None:
    staging = Staged(kind, tmp_path).store
    with pytest.raises(TypeError):
        staging.put("t1", "k", [{"when": datetime(2025, 1, 1, tzinfo=UTC)}])
    assert staging.get("t1", "k") is None


def test_rows_staged_by_earlier_versions_still_read(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "s.db")
    staging = SqliteStagingStore(db)
    conn = db.connection()
    conn.execute("INSERT INTO staging (tenant_id, key, body) VALUES ('t1', 'text', '[{\"a\":1}]')")
    conn.execute("INSERT INTO staging (tenant_id, key, body) VALUES ('t1', 'zjson', ?)",
                 (zlib.compress(b'[{"a":2}]', 1),))
    assert staging.get("t1", "text") == [{"a": 1}]
    assert staging.get("t1", "zjson") == [{"a": 2}]
    conn.execute("INSERT INTO staging (tenant_id, key, body) VALUES ('t1', 'msgpack', ?)",
                 (b"M" + zlib.compress(msgpack.packb([{"a": 3}]), 1),))
    assert staging.get("t1", "msgpack") == [{"a": 3}]
    conn.execute("INSERT INTO staging (tenant_id, key, body) VALUES ('t1', 'zorjson', ?)",
                 (b"O" + zlib.compress(b'[{"a":4}]', 1),))
    assert staging.get("t1", "zorjson") == [{"a": 4}]
    assert staging.delete("t1", "text") and staging.get("t1", "text") is None


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CTX = PageContext("t1", "i1", "salesforce", "account", SyncDirection.PULL, ConflictResolution.NEWEST_WINS, NOW)


def _record(n: int, external_id: str | None = None) -> tuple[Incoming, Decision, RemoteMeta]:
    ext = f"e{n}" if external_id is None else external_id
    record = Incoming.of(ext, {"name": f"n{n}", "nested": {"a": [n]}})
    return record, Decision(n, ext, DedupAction.CREATE, f"shd-{n}", record.content_hash), RemoteMeta(f"v{n}")


def test_batched_new_shards_equal_one_by_one_and_keep_page_order() -> None:
    rows = [_record(n) for n in range(50)]
    records, decisions, metas = zip(*rows, strict=True)
    unchanged = Decision(50, "e50", DedupAction.UNCHANGED, "shd-x", "h")
    plan = apply_page(CTX, [*records, records[0]], [*metas, metas[0]], [*decisions[:25], unchanged, *decisions[25:]],
                      {})
    expected = [shard_document(_new_shard(CTX, d, r, m)) for r, d, m in rows]
    assert plan.writes == expected
    assert [json.dumps(d) for d in plan.writes] == [json.dumps(d) for d in expected]  # same key order too
    assert plan.unchanged_ids == ["e50"]
    assert len({d["id"] for d in plan.writes}) == 50


def test_an_invalid_record_raises_the_one_model_error() -> None:
    rows = [_record(0), _record(1, external_id="")]
    records, decisions, metas = zip(*rows, strict=True)
    with pytest.raises(ValidationError) as batched:
        apply_page(CTX, records, metas, decisions, {})
    with pytest.raises(ValidationError) as single:
        _new_shard(CTX, decisions[1], records[1], metas[1])
    assert batched.value.errors(include_url=False) == single.value.errors(include_url=False)
