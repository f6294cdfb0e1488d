"""Gong quirks as data.

Sources: help.gong.io/apidocs (Introduction: Basic auth with access key and secret, a
customer-specific base URL, 3 calls/s and 10,000/day, 429 with ``Retry-After``; paging with
``records.cursor``); the v2 reference for ``GET /v2/users`` and ``GET /v2/calls``, whose
``fromDateTime`` is inclusive and ``toDateTime`` exclusive. A date window without calls is
answered 404 "No calls found corresponding to the provided filters": an empty page, not an error.
Gong calls have no modification timestamp and no tombstones: the window is on the call's start
(scheduled time for recorded web conferences), and calls appear after processing, hence a lag.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

GONG_BASE_URL = "https://api.gong.io"
EMPTY_RESULT_MESSAGE = "No calls found corresponding to the provided filters"


class ReadKind(StrEnum):
    """How an entity is read."""

    LIST = "list"  # cursor pages, full read every time
    TIME_WINDOW = "time_window"  # [fromDateTime, toDateTime) then cursor pages


class EntitySpec(BaseModel):
    """One Gong list endpoint."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str
    items_key: str
    read: ReadKind
    modified_field: str | None = None
    # Calls show up once Gong has processed the recording; re-read this far back every run.
    min_lag_seconds: float = 0.0


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(name="users", path="/v2/users", items_key="users", read=ReadKind.LIST),
        EntitySpec(
            name="calls",
            path="/v2/calls",
            items_key="calls",
            read=ReadKind.TIME_WINDOW,
            modified_field="started",
            min_lag_seconds=6 * 3600,
        ),
    )
}


class GongConnection(BaseModel):
    """An Integration's ``connection`` for Gong (camelCase as in api.md).

    The access key and its secret are the credential (``basic``: username = access key,
    password = access key secret), kept in the secret store.
    """

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore")

    base_url: str = GONG_BASE_URL  # customer-specific; shown in Gong's API settings page
    workspace_id: str | None = None
