"""Ground truth and 'remote edits' on the HubSpot portal, for the admin routes."""

from __future__ import annotations

import random
from typing import Any

from sandbox.hubspot.records import ObjectTable
from sandbox.hubspot.state import HubSpotState

ALWAYS = ("createdate", "hs_lastmodifieddate", "hs_object_id")
_DEFAULT_EDITS = {"companies": "description", "contacts": "jobtitle"}


def dump(hs: HubSpotState, object_type: str, fields: list[str] | None) -> dict[str, Any]:
    """Every live record with all (or the given) properties, and the ids of the archived ones."""
    table = hs.table(object_type)
    names = list(dict.fromkeys([*(fields or table.spec.properties), *ALWAYS]))
    records = [r.to_api(names) for r in table if not r.archived]
    return {"object": table.spec.name, "count": len(records), "records": records,
            "deleted_ids": [str(r.id) for r in table if r.archived]}


def _targets(table: ObjectTable, body: dict[str, Any], rng: random.Random) -> list[int]:
    if body.get("ids"):
        return [int(i) for i in body["ids"]]
    live = [r.id for r in table if not r.archived]
    return rng.sample(live, min(int(body.get("count", 1)), len(live)))


def update(hs: HubSpotState, object_type: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = hs.table(object_type)
    given = body.get("fields") or body.get("properties")
    props = table.normalize(given) if given else None
    ids = _targets(table, body, rng)
    for n, record_id in enumerate(ids):
        edit: dict[str, str | None] = {_DEFAULT_EDITS[table.spec.name]: f"remote edit {rng.randrange(10**9)}-{n}"}
        table.update(record_id, props or edit)
    return [str(i) for i in ids]


def delete(hs: HubSpotState, object_type: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = hs.table(object_type)
    ids = _targets(table, body, rng)
    for record_id in ids:
        table.archive(record_id)
    return [str(i) for i in ids]


def create(hs: HubSpotState, object_type: str, body: dict[str, Any], rng: random.Random) -> list[str]:
    table = hs.table(object_type)
    rows = body.get("records")
    if not rows:
        keys = [rng.randrange(10**9) for _ in range(int(body.get("count", 1)))]
        if table.spec.name == "contacts":
            rows = [{"email": f"remote.{k}@example.com", "firstname": "Remote", "lastname": f"Contact {k}"}
                    for k in keys]
        else:
            rows = [{"name": f"Remote Company {k}", "domain": f"r{k}.example.com"} for k in keys]
    return [str(table.create(table.normalize(row)).id) for row in rows]
