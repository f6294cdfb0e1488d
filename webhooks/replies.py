"""The one place a webhook outcome becomes an HTTP reply.

==============================================  ======  =========================================
outcome                                         status  body
==============================================  ======  =========================================
Accepted / Received                             ack     the scheme's ack (Graph 202, Salesforce
                                                        SOAP Ack), else 200 empty
Challenge                                       as set  the handshake answer, verbatim
BadSignature, StaleTimestamp, MissingHeader,    401     ``{"error": {"code", "message"}}``
NoSecretConfigured
Malformed                                       400     ``{"error": {"code", "message"}}``
==============================================  ======  =========================================

Error bodies give the stable code and a fixed message; the rejection's ``detail`` is for the audit
trail only (it helps an operator, and an attacker probing the endpoint learns nothing from it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .registry import Received
from .results import Accepted, Challenge, Malformed, Rejected

_MESSAGES = {
    "bad_signature": "The request signature could not be verified.",
    "stale_timestamp": "The request timestamp is outside the accepted window.",
    "missing_header": "A header required to verify the request is missing.",
    "no_secret_configured": "The request could not be verified.",
    "malformed": "The request body or a header is malformed.",
}
_SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=lambda: dict(_SECURITY_HEADERS))


def status_for(result: Accepted | Received | Challenge | Rejected) -> int:
    """The HTTP status alone (for audit records and metrics)."""
    return http_reply(result).status


def http_reply(result: Accepted | Received | Challenge | Rejected) -> HttpReply:
    """Map any outcome of ``verify`` / ``receive`` to the reply the provider must get."""
    match result:
        case Accepted(ack=ack) | Received(ack=ack):
            if ack is None:
                return HttpReply(200)
            return HttpReply(ack.status, ack.body, ack.content_type)
        case Challenge(status=status, body=body, content_type=content_type):
            return HttpReply(status, body, content_type)
        case Malformed():
            return _error(400, result)
        case Rejected():
            return _error(401, result)
    raise TypeError(f"not a webhook outcome: {type(result).__name__}")


def _error(status: int, rejection: Rejected) -> HttpReply:
    body = {"error": {"code": rejection.code, "message": _MESSAGES.get(rejection.code, "Rejected.")}}
    return HttpReply(status, json.dumps(body).encode("utf-8"), "application/json")
