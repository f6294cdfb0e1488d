"""Webhook verification and parsing, framework-free.

The route calls, per request::

    from webhooks import RawRequest, ParseContext, receive, http_reply, Received

    request = RawRequest.build(method, url, headers, body)          # raw bytes, public URL
    result = receive(config, request, ParseContext(integration_id, tenant_id, received_at=now))
    if isinstance(result, Received):
        ...persist result.delivery under result.event_id (dedup), audit...
    reply = http_reply(result)                                      # status, body, content type

``verify``, ``parse`` and ``event_id`` are available separately; ``results`` documents the outcome
tree and ``replies`` the status mapping.
"""

from .config import AnySchemeConfig, load_scheme_config
from .events import Operation, ParseContext, ParsedDelivery, Signal, SignalKind, WebhookEvent
from .registry import DEFAULT_REGISTRY, Received, Registry, SchemeSpec, event_id, parse, receive, verify
from .replies import HttpReply, http_reply, status_for
from .request import Headers, RawRequest
from .results import (
    Accepted,
    BadSignature,
    Challenge,
    Malformed,
    MissingHeader,
    NoSecretConfigured,
    Rejected,
    Reply,
    StaleTimestamp,
    Verification,
)

__all__ = [
    "DEFAULT_REGISTRY", "Accepted", "AnySchemeConfig", "BadSignature", "Challenge", "Headers", "HttpReply",
    "Malformed", "MissingHeader", "NoSecretConfigured", "Operation", "ParseContext", "ParsedDelivery",
    "RawRequest", "Received", "Registry", "Rejected", "Reply", "SchemeSpec", "Signal", "SignalKind",
    "StaleTimestamp", "Verification", "WebhookEvent", "event_id", "http_reply", "load_scheme_config",
    "parse", "receive", "status_for", "verify",
]
