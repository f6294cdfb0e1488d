"""Salesforce outbound messages and relayed change events: unsigned, so a shared secret plus the org id.

Outbound messages carry no signature (sforce_api_om_outboundmessaging_security.htm). The endpoint URL
configured in Salesforce carries a shared secret, checked here in constant time, either as a query
parameter (``...?token=...``), as the last path segment, or in a header set by a relay in front of
us; and every SOAP message's ``OrganizationId`` must be the registered org. Accepted outbound
messages are acknowledged with the SOAP ``<Ack>true</Ack>`` Salesforce waits for.

Change Data Capture events are not webhooks (Pub/Sub API / CometD); a relay may POST them here as
JSON, authenticated by the same shared secret. Their payload names no org, so only the secret binds them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from ..crypto import equal_text, sha256_hex
from ..request import RawRequest
from ..results import (
    Authentic,
    BadSignature,
    Malformed,
    MissingHeader,
    NoSecretConfigured,
    Reply,
    SchemeOutcome,
)
from ._base import SchemeConfig
from ._json import load_json
from .salesforce_cdc import change_events, dedup_key
from .salesforce_soap import ACK_BODY, parse_outbound_message, same_org

ACK = Reply(200, ACK_BODY, "text/xml; charset=utf-8")


class SalesforceConfig(SchemeConfig):
    """Registered org id, shared secret, and where the request carries the secret."""

    scheme: Literal["salesforce"] = "salesforce"
    organization_id: str | None = None
    shared_secret: SecretStr | None = None
    token_location: Literal["query", "path", "header"] = "query"
    token_name: str = "token"


def _presented_token(config: SalesforceConfig, request: RawRequest) -> str | None:
    if config.token_location == "header":
        return request.header(config.token_name)
    if config.token_location == "query":
        return request.query.get(config.token_name)
    segment = urlsplit(request.url).path.rstrip("/").rsplit("/", 1)[-1]
    return unquote(segment) or None


def check(config: SalesforceConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Shared secret first; then, for SOAP outbound messages, the organization id."""
    secret = config.shared_secret.get_secret_value() if config.shared_secret is not None else ""
    if not config.organization_id or not secret:
        return NoSecretConfigured("no Salesforce organization id or shared secret configured")
    presented = _presented_token(config, request)
    if presented is None:
        return MissingHeader(f"shared secret ({config.token_location} {config.token_name!r}) is absent")
    if not equal_text(secret, presented):
        return BadSignature("shared secret does not match")
    if request.body.lstrip()[:1] != b"<":
        if change_events(load_json(request.body)) is None:
            return Malformed("body is neither an outbound message nor change events")
        return Authentic()
    message = parse_outbound_message(request.body)
    if message is None:
        return Malformed("body is not a Salesforce outbound message")
    if not same_org(config.organization_id, message.organization_id):
        return BadSignature("OrganizationId is not the registered org")
    return Authentic(ack=ACK)


def event_id(config: SalesforceConfig, request: RawRequest) -> str | None:
    """Notification ids for outbound messages (Salesforce redelivers with the same ids); for change
    events, the transaction key and sequence number of each event."""
    if request.body.lstrip()[:1] == b"<":
        message = parse_outbound_message(request.body)
        ids = sorted(n.notification_id for n in message.notifications) if message else []
    else:
        ids = sorted(dedup_key(event) for event in change_events(load_json(request.body)) or [])
    if not ids:
        return None
    return f"sf:{ids[0]}" if len(ids) == 1 else "sf:" + sha256_hex(",".join(ids).encode("utf-8"))
