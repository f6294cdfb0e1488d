"""Zoom quirks as data.

Sources: developers.zoom.us/docs/api/pagination (``next_page_token``, page_size up to 300),
/docs/api/rate-limits (per-account, per-label limits, 429 with ``X-RateLimit-*`` and ``Retry-After``),
/docs/internal-apps/s2s-oauth (``grant_type=account_credentials``, 1 h tokens, no refresh token),
and the API reference for users, meetings and cloud recordings.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

ZOOM_BASE_URL = "https://api.zoom.us/v2"
ZOOM_TOKEN_URL = "https://zoom.us/oauth/token"


class ReadKind(StrEnum):
    """How an entity is read."""

    LIST = "list"  # next_page_token pages; no change filter, so every read is a full read
    DATE_WINDOW = "date_window"  # from/to dates (both inclusive), then next_page_token pages


class EntitySpec(BaseModel):
    """One Zoom list endpoint."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str  # relative to the base URL; {user_id} is filled from ZoomConnection
    items_key: str
    id_field: str
    read: ReadKind
    max_page_size: int
    modified_field: str | None = None
    fixed_params: dict[str, str] = {}
    window_days: int = 30  # recordings: one month per query (Zoom API reference)
    # Cloud recordings are listed once processed, hours after the meeting: re-read a day back.
    min_lag_seconds: float = 0.0
    write_path: str | None = None  # create: POST here; update/delete: item_path
    item_path: str | None = None


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            name="users",
            path="/users",
            items_key="users",
            id_field="id",
            read=ReadKind.LIST,
            max_page_size=300,
            fixed_params={"status": "active"},
        ),
        EntitySpec(
            name="meetings",
            path="/users/{user_id}/meetings",
            items_key="meetings",
            id_field="id",
            read=ReadKind.LIST,
            max_page_size=300,
            fixed_params={"type": "scheduled"},
            write_path="/users/{user_id}/meetings",
            item_path="/meetings/{id}",
        ),
        # Recordings are listed per meeting instance; the instance uuid is unique, the meeting id is not.
        EntitySpec(
            name="recordings",
            path="/users/{user_id}/recordings",
            items_key="meetings",
            id_field="uuid",
            read=ReadKind.DATE_WINDOW,
            max_page_size=300,
            modified_field="start_time",
            min_lag_seconds=86_400,
        ),
    )
}


class ZoomConnection(BaseModel):
    """An Integration's ``connection`` for Zoom (camelCase as in api.md).

    The Server-to-Server app's client id and secret are the credential
    (``oauth2_client_credentials``); the account id rides along as a token-request parameter.
    """

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore")

    account_id: str
    user_id: str = "me"
    base_url: str = ZOOM_BASE_URL
    # How far back a full read of recordings goes (Zoom lists recordings by date windows).
    recordings_lookback_days: int = 180
