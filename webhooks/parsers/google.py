"""Google: Drive channel notifications (signals only) and Pub/Sub push envelopes.

Drive notifications carry no change data (https://developers.google.com/drive/api/guides/push): each
one becomes ``CHANGES_PENDING`` for the integration, which then calls ``changes.list`` from its
stored page token. A Pub/Sub push body is ``{"message": {"data": <base64>, "attributes", "messageId",
"publishTime"}, "subscription"}``; the message becomes one event whose data is the decoded payload.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..events import Operation, ParseContext, ParsedDelivery, SignalKind
from ..request import RawRequest
from ..results import Malformed
from ..schemes import google_drive
from ..schemes._json import json_object, load_json, object_field
from ..schemes.google_drive import DriveChannelConfig
from ..schemes.google_pubsub import PubSubConfig
from ._common import text


def parse_drive(
    config: DriveChannelConfig, request: RawRequest, ctx: ParseContext
) -> ParsedDelivery | Malformed:
    """One ``CHANGES_PENDING`` signal carrying the channel headers."""
    headers = {
        "resourceState": request.header(google_drive.STATE_HEADER),
        "channelId": request.header(google_drive.CHANNEL_ID_HEADER),
        "resourceId": request.header(google_drive.RESOURCE_ID_HEADER),
        "resourceUri": request.header("X-Goog-Resource-URI"),
        "messageNumber": request.header(google_drive.MESSAGE_NUMBER_HEADER),
        "changed": request.header("X-Goog-Changed"),
    }
    detail = {k: v for k, v in headers.items() if v is not None}
    return ParsedDelivery(signals=(ctx.signal(SignalKind.CHANGES_PENDING, **detail),))


def parse_pubsub(
    config: PubSubConfig, request: RawRequest, ctx: ParseContext
) -> ParsedDelivery | Malformed:
    """One event per push; ``attributes.eventType`` (GCS-style) names it when present."""
    message = (json_object(request.body) or {}).get("message")
    if not isinstance(message, dict):
        return Malformed("Pub/Sub push body has no message object")
    message_id = text(message.get("messageId")) or text(message.get("message_id"))
    if message_id is None:
        return Malformed("Pub/Sub message has no messageId")
    payload = _decode(message.get("data"))
    if isinstance(payload, Malformed):
        return payload
    attributes = object_field(message, "attributes")
    event_type = text(attributes.get("eventType")) or "pubsub.message"
    return ParsedDelivery(events=(ctx.event(
        event_type=event_type, entity_type="pubsub_message", entity_id=message_id,
        operation=Operation.CREATE,
        data={"payload": payload, "attributes": attributes, "subscription": _subscription(request)},
        timestamp=text(message.get("publishTime")),
    ),))


def _decode(data: Any) -> Any:
    if data is None:
        return None
    if not isinstance(data, str):
        return Malformed("Pub/Sub message data is not a base64 string")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return Malformed("Pub/Sub message data is not valid base64")
    document = load_json(raw)
    return document if document is not None else {"base64": data}


def _subscription(request: RawRequest) -> str | None:
    return text((json_object(request.body) or {}).get("subscription"))
