"""Zoom meeting writes. Zoom has no conditional writes and no idempotency keys.

- create: ``POST /users/{userId}/meetings`` (201 with the meeting; its numeric ``id`` is the key).
- update: ``PATCH /meetings/{meetingId}`` (204, no body).
- delete: ``DELETE /meetings/{meetingId}`` (204); a missing meeting is code 3001, ``NotFound``.
Meetings carry no version, so reads hand out ``version=None`` and a write asked to be conditional
is refused (``ConfigError``) rather than silently made unconditional. A create is a POST: the
shared policy resends it only after a 429/503 (not processed), never after an ambiguous failure.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.base import WriteResult
from adapters.http.session import ProviderHttp, read_json
from core.errors import ConfigError, MalformedResponse

PROVIDER = "zoom"


def refuse_condition(if_version: str | None) -> None:
    """Zoom cannot honour a version condition."""
    if if_version is not None:
        raise ConfigError("Zoom has no conditional writes; meetings carry no version", provider=PROVIDER)


async def create_meeting(http: ProviderHttp, base_url: str, user_id: str, data: dict[str, Any]) -> WriteResult:
    """Schedule a meeting for the connection's user."""
    # https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
    response = await http.request("POST", f"{base_url}/users/{quote(user_id, safe='')}/meetings", json=data)
    body = read_json(response, PROVIDER)
    key = body.get("id") if isinstance(body, dict) else None
    if not isinstance(key, int | str) or isinstance(key, bool):
        raise MalformedResponse("meeting create returned no id", provider=PROVIDER)
    return WriteResult(external_id=str(key), created=True, limits=http.last_limits)


async def update_meeting(http: ProviderHttp, base_url: str, meeting_id: str, data: dict[str, Any]) -> WriteResult:
    """Update a meeting (Zoom answers 204 without a body)."""
    # https://developers.zoom.us/docs/api/meetings/#tag/meetings/PATCH/meetings/{meetingId}
    await http.request("PATCH", f"{base_url}/meetings/{quote(meeting_id, safe='')}", json=data)
    return WriteResult(external_id=meeting_id, created=False, limits=http.last_limits)


async def delete_meeting(http: ProviderHttp, base_url: str, meeting_id: str) -> None:
    """Delete a meeting."""
    # https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}
    await http.request("DELETE", f"{base_url}/meetings/{quote(meeting_id, safe='')}")
