"""Generic HMAC-SHA256 for providers without a dedicated scheme: header, encoding, prefix as data.

Signed bytes are ``message_prefix`` (with ``{timestamp}`` replaced by the timestamp header's value,
as received) followed by the raw body. Examples:

- GitHub-like: ``header="X-Signature", prefix="sha256="``;
- Stripe/Standard-Webhooks-like: ``timestamp_header="X-Timestamp", message_prefix="{timestamp}."``;
- Slack-like: ``prefix="v0=", timestamp_header=..., message_prefix="v0:{timestamp}:"``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr, model_validator

from ..crypto import Encoding, TimeUnit, secret_bytes
from ..request import RawRequest
from ..results import NoSecretConfigured, Rejected, SchemeOutcome
from ._base import SchemeConfig, Tolerance
from ._hmac import check_signature_header, signed_timestamp

TIMESTAMP_PLACEHOLDER = "{timestamp}"


class JsonFields(SchemeConfig):
    """Where the generic parser finds each ``WebhookEvent`` field (dot paths into each event object).

    ``events``: path of the list of events (None: the body is one event, or a top-level list).
    """

    events: str | None = None
    event_type: str = "type"
    entity_type: str | None = None
    default_entity_type: str = "record"
    entity_id: str = "id"
    operation: str | None = None
    timestamp: str | None = None


class GenericHmacConfig(SchemeConfig):
    """Where the signature is, how it is written, and what is signed."""

    scheme: Literal["generic_hmac"] = "generic_hmac"
    secret: SecretStr | None = None
    header: str
    encoding: Encoding = Encoding.HEX
    prefix: str = ""
    timestamp_header: str | None = None
    timestamp_unit: TimeUnit = TimeUnit.SECONDS
    tolerance_seconds: int = Tolerance
    message_prefix: str = ""
    event_id_header: str | None = None
    fields: JsonFields = JsonFields()

    @model_validator(mode="after")
    def _timestamp_is_signed(self) -> GenericHmacConfig:
        # A timestamp that is checked but not signed can be swapped by a replayer; insist on both or neither.
        signs_timestamp = TIMESTAMP_PLACEHOLDER in self.message_prefix
        if signs_timestamp != (self.timestamp_header is not None):
            raise ValueError("timestamp_header and a {timestamp} in message_prefix go together")
        return self


def check(config: GenericHmacConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Optional timestamp window, then the HMAC of prefix + body."""
    key = secret_bytes(config.secret)
    if key is None:
        return NoSecretConfigured("no HMAC secret configured")
    message_prefix = config.message_prefix
    if config.timestamp_header is not None:
        raw_ts = signed_timestamp(
            request, config.timestamp_header, now, config.tolerance_seconds, config.timestamp_unit
        )
        if isinstance(raw_ts, Rejected):
            return raw_ts
        message_prefix = message_prefix.replace(TIMESTAMP_PLACEHOLDER, raw_ts)
    message = message_prefix.encode("utf-8") + request.body
    return check_signature_header(request, config.header, key, message, config.encoding, config.prefix)


def event_id(config: GenericHmacConfig, request: RawRequest) -> str | None:
    """The configured event id header's value, if any (else the body is hashed)."""
    return request.header(config.event_id_header) if config.event_id_header else None
