"""Microsoft Graph change notifications: ``validationToken`` echo and ``clientState`` on every notification.

Graph signs nothing (microsoft-graph-docs-contrib ``concepts/change-notifications-delivery-webhooks.md``).
Authenticity rests on the ``clientState`` secret set when the subscription was created:

- ``POST ...?validationToken=<opaque>``: answer 200, ``text/plain``, the URL-decoded token, within
  10 s (also used for ``lifecycleNotificationUrl``). Answered only when a client state is
  configured for the registration, so an unconfigured registration fails closed;
- ``{"value": [...]}``: every notification in the batch (change or lifecycle) must carry the
  configured ``clientState``; one mismatch rejects the batch. Accepted batches are acknowledged 202.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import SecretStr

from ..crypto import equal_text
from ..request import RawRequest
from ..results import Authentic, BadSignature, Challenge, Malformed, NoSecretConfigured, Reply, SchemeOutcome
from ._base import SchemeConfig
from ._json import json_object

VALIDATION_PARAM = "validationToken"
MAX_VALIDATION_TOKEN_LENGTH = 4096
ACK = Reply(202)


class GraphConfig(SchemeConfig):
    """The ``clientState`` given when creating the subscription(s) delivered to this registration."""

    scheme: Literal["microsoft_graph"] = "microsoft_graph"
    client_state: SecretStr | None = None


def check(config: GraphConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Echo the validation token, or check ``clientState`` on every notification of the batch."""
    if config.client_state is None or not config.client_state.get_secret_value():
        return NoSecretConfigured("no Microsoft Graph clientState configured")
    token = request.query.get(VALIDATION_PARAM)
    if token is not None:
        if not token or len(token) > MAX_VALIDATION_TOKEN_LENGTH:
            return Malformed("validationToken is empty or too long")
        return Challenge(200, token.encode("utf-8"), "text/plain; charset=utf-8")
    notifications = notifications_of(request.body)
    if notifications is None:
        return Malformed('body is not {"value": [notification, ...]}')
    expected = config.client_state.get_secret_value()
    # Compare every notification (no early exit) so timing does not reveal which one failed.
    results = [equal_text(expected, _client_state(item)) for item in notifications]
    if not all(results):
        return BadSignature(f"clientState mismatch in {results.count(False)} of {len(results)} notifications")
    return Authentic(ack=ACK)


def notifications_of(body: bytes) -> list[dict[str, Any]] | None:
    """The ``value`` list of a notification collection, or None when the body has another shape."""
    document = json_object(body)
    value = document.get("value") if document is not None else None
    if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
        return None
    return value


def _client_state(notification: dict[str, Any]) -> str | None:
    value = notification.get("clientState")
    return value if isinstance(value, str) else None


def event_id(config: GraphConfig, request: RawRequest) -> str | None:
    """Graph batches carry no delivery id; the body is hashed."""
    return None
