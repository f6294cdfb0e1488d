"""StagingStore: fetched pages parked between activities, so orchestration history carries
only the key, never the records; and the body of a staged page, which the embedded stores share.

A staged page (about 1 MB as JSON for 2,000 records) is written once and read once or twice, so encoding
and decoding it are on every page's critical path. orjson writes it in about half the time MessagePack (used
before) took and reads it back in two thirds; a page it cannot encode (integers beyond 64 bits) is written
by ``json`` instead. One difference from ``json``: NaN and infinities read back as ``null``, which is what the
shard store writes for them in any case. Pages are not compressed: writing, reading and deleting an
uncompressed page costs less than half the CPU time of compressing it (zlib level 1) and decompressing it,
CPU being what a sync runs short of.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

import orjson

# First byte of a body: how the rest is encoded.
PLAIN_ORJSON, PLAIN_JSON = b"o", b"j"


class StagingStore(Protocol):
    def put(self, tenant_id: str, key: str, records: list[dict[str, Any]]) -> None:
        """Store (or overwrite) the page under ``key``. The store may keep ``records`` themselves for the next
        reader: the caller hands them over and does not change them afterwards."""
        ...

    def get(self, tenant_id: str, key: str) -> list[dict[str, Any]] | None:
        """The page, or None when there is none for this tenant; the caller owns the records returned."""
        ...

    def delete(self, tenant_id: str, key: str) -> bool: ...

    def delete_prefix(self, tenant_id: str, prefix: str) -> int:
        """Drop every page whose key starts with ``prefix`` (e.g. all pages of a finished run)."""
        ...

    def purge_before(self, cutoff: datetime) -> int:
        """Drop pages of every tenant staged before ``cutoff`` (left behind by crashed runs)."""
        ...


def encode_page(records: list[dict[str, Any]]) -> bytes:
    """A page as a body: format byte + JSON (orjson's, or ``json``'s for what orjson refuses)."""
    try:
        return PLAIN_ORJSON + orjson.dumps(records, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, or not JSON data at all
        # json keeps big integers, and fails on the rest (the datetimes passed through above included)
        return PLAIN_JSON + json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode_page(body: bytes) -> list[dict[str, Any]]:
    """The records of a body written by ``encode_page``."""
    if body[:1] == PLAIN_ORJSON:
        return orjson.loads(memoryview(body)[1:])  # type: ignore[no-any-return]
    if body[:1] == PLAIN_JSON:
        return json.loads(memoryview(body)[1:].tobytes())  # type: ignore[no-any-return]
    raise ValueError(f"not a staged page body (format byte {body[:1]!r})")
