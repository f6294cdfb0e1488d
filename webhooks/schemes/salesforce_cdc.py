"""Reading relayed Salesforce Change Data Capture events (JSON).

Accepted shapes: one event or a list of events, each either CometD's
``{"schema", "payload": {"ChangeEventHeader": {...}, <fields>}, "event": {"replayId"}}`` or a decoded
Pub/Sub API record ``{"ChangeEventHeader": {...}, <fields>}``
(https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._json import object_field


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change event: its ``ChangeEventHeader`` and the changed field values."""

    header: dict[str, Any]
    fields: dict[str, Any]


def change_events(document: object) -> list[ChangeEvent] | None:
    """The events in a relayed body, or None when any item is not a change event."""
    items = document if isinstance(document, list) else [document]
    events = []
    for item in items:
        if not isinstance(item, dict):
            return None
        payload = object_field(item, "payload") or item
        header = payload.get("ChangeEventHeader")
        if not isinstance(header, dict):
            return None
        fields = {k: v for k, v in payload.items() if k != "ChangeEventHeader"}
        events.append(ChangeEvent(header, fields))
    return events or None


def dedup_key(event: ChangeEvent) -> str:
    """Transaction key plus sequence number: unique per change event within an org."""
    return f"{event.header.get('transactionKey')}:{event.header.get('sequenceNumber')}"
