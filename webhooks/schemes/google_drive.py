"""Google Drive push channels (``files.watch``, ``changes.watch``): unsigned; the channel token authenticates.

https://developers.google.com/drive/api/guides/push. ``X-Goog-Channel-Token`` echoes the ``token``
set when the channel was created; it is compared in constant time, and the channel and resource ids
too when configured. The first message of a channel (``X-Goog-Resource-State: sync``) only announces
the channel: it is answered 200 and nothing is stored. Notifications carry no change data; the
parser turns them into a "changes pending" signal (call ``changes.list``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import equal_text
from ..request import RawRequest
from ..results import Authentic, BadSignature, Challenge, MissingHeader, NoSecretConfigured, SchemeOutcome
from ._base import SchemeConfig

TOKEN_HEADER = "X-Goog-Channel-Token"
CHANNEL_ID_HEADER = "X-Goog-Channel-ID"
RESOURCE_ID_HEADER = "X-Goog-Resource-ID"
STATE_HEADER = "X-Goog-Resource-State"
MESSAGE_NUMBER_HEADER = "X-Goog-Message-Number"
SYNC_STATE = "sync"


class DriveChannelConfig(SchemeConfig):
    """The channel's token, and optionally the channel and resource ids it must come from."""

    scheme: Literal["google_drive"] = "google_drive"
    channel_token: SecretStr | None = None
    channel_id: str | None = None
    resource_id: str | None = None


def check(config: DriveChannelConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Compare the channel token (and ids); answer the ``sync`` message without storing it."""
    if config.channel_token is None or not config.channel_token.get_secret_value():
        return NoSecretConfigured("no Drive channel token configured")
    for header in (TOKEN_HEADER, STATE_HEADER):
        if request.header(header) is None:
            return MissingHeader(f"{header} header is absent")
    if not equal_text(config.channel_token.get_secret_value(), request.header(TOKEN_HEADER)):
        return BadSignature(f"{TOKEN_HEADER} does not match the channel token")
    pinned = ((config.channel_id, CHANNEL_ID_HEADER), (config.resource_id, RESOURCE_ID_HEADER))
    for expected, header in pinned:
        if expected is not None and not equal_text(expected, request.header(header)):
            return BadSignature(f"{header} is not the registered one")
    if (request.header(STATE_HEADER) or "").strip().lower() == SYNC_STATE:
        return Challenge(200, b"", "text/plain; charset=utf-8")
    return Authentic()


def event_id(config: DriveChannelConfig, request: RawRequest) -> str | None:
    """Channel id plus message number: unique per notification of a channel."""
    channel, number = request.header(CHANNEL_ID_HEADER), request.header(MESSAGE_NUMBER_HEADER)
    return f"drive:{channel}:{number}" if channel and number else None
