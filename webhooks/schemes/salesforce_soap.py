"""Reading Salesforce outbound messages (SOAP ``notifications``) and writing their acknowledgement.

Element names from the outbound messaging WSDL
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm).
The XML comes from the internet before it is authenticated, so it is read with defusedxml
(no entity expansion, no external entities).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

ACK_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    b'<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>'
    b"</notificationsResponse></soapenv:Body></soapenv:Envelope>"
)
"""What Salesforce needs back; without ``<Ack>true</Ack>`` it redelivers the message."""


@dataclass(frozen=True, slots=True)
class OutboundNotification:
    """One ``Notification``: its id (the dedup key) and the sObject's type and fields as sent."""

    notification_id: str
    sobject_type: str
    fields: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    organization_id: str
    action_id: str | None
    notifications: tuple[OutboundNotification, ...]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element | None) -> str | None:
    if element is None or element.get(XSI_NIL) == "true":
        return None
    return (element.text or "").strip()


def parse_outbound_message(body: bytes) -> OutboundMessage | None:
    """The message, or None when the body is not a well-formed outbound message."""
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError):
        return None
    notifications = next((e for e in root.iter() if _local(e.tag) == "notifications"), None)
    if notifications is None:
        return None
    organization_id = _text(_child(notifications, "OrganizationId"))
    if not organization_id:
        return None
    items = []
    for node in notifications:
        if _local(node.tag) != "Notification":
            continue
        item = _notification(node)
        if item is None:
            return None
        items.append(item)
    return OutboundMessage(organization_id, _text(_child(notifications, "ActionId")), tuple(items))


def _notification(node: Element) -> OutboundNotification | None:
    notification_id = _text(_child(node, "Id"))
    sobject = _child(node, "sObject")
    if not notification_id or sobject is None:
        return None
    sobject_type = (sobject.get(XSI_TYPE) or "").rsplit(":", 1)[-1]
    fields = {_local(field.tag): _text(field) for field in sobject}
    return OutboundNotification(notification_id, sobject_type, fields)


def same_org(configured: str, received: str) -> bool:
    """Org ids match on their case-sensitive 15-character form (18-char ids add a checksum suffix)."""
    return len(configured) >= 15 and len(received) >= 15 and configured[:15] == received[:15]
