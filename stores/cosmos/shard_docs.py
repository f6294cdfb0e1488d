"""How a shard is laid out as a Cosmos document: the model's JSON plus an ``ix`` object of
query helpers (Cosmos cannot index into arrays of objects as cheaply as into arrays of strings).

``ix.links`` ``integrationId<US>externalId`` · ``ix.pairs`` ``system<US>externalId`` ·
``ix.systems`` · ``ix.externalIds`` · ``ix.integrations`` · ``ix.keys`` ``keyName<US>value`` ·
``ix.seen`` ``{integrationId: runId}``, the last run of each integration that saw the shard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.models import Shard, shard_document
from stores.cosmos.client import SYSTEM_FIELDS, strip_system

SEP = "\x1f"


def link(integration_id: str, external_id: str) -> str:
    return f"{integration_id}{SEP}{external_id}"


def key_entry(key_name: str, value: str) -> str:
    return f"{key_name}{SEP}{value}"


def to_doc(shard: Shard, seen: dict[str, str], keys: Sequence[str]) -> dict[str, Any]:
    return document_to_doc(shard_document(shard), seen, keys)


def document_to_doc(document: Mapping[str, Any], seen: dict[str, str], keys: Sequence[str]) -> dict[str, Any]:
    """A shard document (``core.models.shard_document``) with its ``ix`` helpers."""
    body = dict(document)
    rels = body.get("externalRelationships") or []
    body["ix"] = {
        "links": [link(r["integrationId"], r["externalId"]) for r in rels],
        "pairs": [f"{r['system']}{SEP}{r['externalId']}" for r in rels],
        "systems": sorted({r["system"] for r in rels}),
        "externalIds": [r["externalId"] for r in rels],
        "integrations": sorted({r["integrationId"] for r in rels}),
        "keys": list(keys),
        "seen": seen,
    }
    return body


def stored_document(item: Mapping[str, Any]) -> dict[str, Any]:
    """The shard document an item holds, as written (no Cosmos system properties, no ``ix``)."""
    return {k: v for k, v in item.items() if k != "ix" and k not in SYSTEM_FIELDS}


def from_item(item: dict[str, Any]) -> Shard:
    body, etag = strip_system(item)
    shard = Shard.model_validate(body)
    shard.etag = etag
    return shard


def index_of(item: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The ``seen`` map and ``keys`` list of a stored document (empty when absent)."""
    ix = item.get("ix") or {}
    return dict(ix.get("seen") or {}), list(ix.get("keys") or [])
