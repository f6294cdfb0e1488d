"""Ground truth and 'remote edits' on the Dataverse environment, for the admin routes."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sandbox.dataverse import odata
from sandbox.dataverse.records import EntityTable
from sandbox.dataverse.state import DataverseState

_DEFAULT_EDITS = {"accounts": "description", "contacts": "description"}


def dump(dv: DataverseState, set_name: str, fields: list[str] | None) -> dict[str, Any]:
    """Every live row (all or the given attributes) and the ids of the deleted ones."""
    table = dv.table(set_name)
    names = odata.select(table.spec, ",".join(fields)) if fields else None
    records = [odata.row(table.spec, r, names) for r in table]
    return {"object": set_name, "count": len(records), "records": records, "deleted_ids": list(table.deleted)}


def _targets(table: EntityTable, body: dict[str, Any], rng: random.Random) -> list[str]:
    if body.get("ids"):
        return [str(i).lower() for i in body["ids"]]
    return rng.sample(list(table.records), min(int(body.get("count", 1)), len(table.records)))


def update(dv: DataverseState, set_name: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = dv.table(set_name)
    fields = table.normalize(body["fields"]) if body.get("fields") else None
    ids = _targets(table, body, rng)
    for n, record_id in enumerate(ids):
        table.update(record_id, fields or {_DEFAULT_EDITS[set_name]: f"remote edit {rng.randrange(10**9)}-{n}"})
    return ids


def delete(dv: DataverseState, set_name: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = dv.table(set_name)
    ids = _targets(table, body, rng)
    for record_id in ids:
        table.delete(record_id)
    return ids


def create(dv: DataverseState, set_name: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = dv.table(set_name)
    rows = body.get("records")
    if not rows:
        keys = [rng.randrange(10**9) for _ in range(int(body.get("count", 1)))]
        rows = ([{"name": f"Remote Account {k}"} for k in keys] if set_name == "accounts"
                else [{"firstname": "Remote", "lastname": f"Contact {k}"} for k in keys])
    return [table.create(str(uuid.UUID(int=rng.getrandbits(128), version=4)), table.normalize(row)).id
            for row in rows]
