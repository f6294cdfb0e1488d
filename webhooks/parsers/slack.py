"""Slack: Events API ``event_callback`` (JSON) and slash commands / interactions (form-encoded).

https://api.slack.com/apis/events-api#callback-field. Slack is not a record source: its deliveries
become events keyed by their event or trigger id.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from ..events import Operation, ParseContext, ParsedDelivery, iso_from_unix
from ..request import RawRequest
from ..results import Malformed
from ..schemes._json import json_object, load_json
from ..schemes.slack import SlackConfig
from ._common import dig, text


def parse(config: SlackConfig, request: RawRequest, ctx: ParseContext) -> ParsedDelivery | Malformed:
    """``event_callback`` -> one event; a slash command or interaction -> one event; others none."""
    document = json_object(request.body)
    if document is not None:
        if document.get("type") != "event_callback":
            return ParsedDelivery()
        event_id, kind = text(document.get("event_id")), text(dig(document, "event.type"))
        if event_id is None or kind is None:
            return Malformed("event_callback lacks event_id or event.type")
        return ParsedDelivery(events=(ctx.event(
            f"slack.{kind}", kind, event_id, Operation.CREATE, document,
            iso_from_unix(document.get("event_time")),
        ),))
    try:
        form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return Malformed("Slack body is neither JSON nor UTF-8 form data")
    if "payload" in form:
        payload = load_json(form["payload"])
        trigger = text(payload.get("trigger_id")) if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or trigger is None:
            return Malformed("Slack interaction payload has no trigger_id")
        return ParsedDelivery(events=(ctx.event(
            "slack.interaction", "interaction", trigger, Operation.CREATE, payload),))
    if "command" in form and form.get("trigger_id"):
        return ParsedDelivery(events=(ctx.event(
            "slack.command", "command", form["trigger_id"], Operation.CREATE, form),))
    return Malformed("Slack form body is neither a command nor an interaction")
