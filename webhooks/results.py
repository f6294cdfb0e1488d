"""Typed outcomes of verifying one webhook request.

::

    Verification
    ├── Accepted(event_id, ack)          authentic; persist it, then answer ``ack`` (or 200)
    ├── Challenge(status, body, ...)     a provider handshake; answer exactly this, store nothing
    └── Rejected(detail)                 not authentic or not usable; store nothing, audit it
        ├── BadSignature                 401: signature, token or claim does not match
        ├── StaleTimestamp               401: outside the scheme's replay window
        ├── MissingHeader(header)        401: a header the scheme needs is absent
        ├── NoSecretConfigured           401: fail closed, nothing to verify against
        └── Malformed                    400: undecodable body or header

``webhooks.replies.http_reply`` is the one place that turns these into HTTP statuses.
``detail`` is for the audit trail: it never contains a secret or a computed signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class Reply:
    """A literal HTTP reply a provider expects (handshake answer or acknowledgement body)."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Accepted:
    """The request is authentic. ``event_id`` is the deduplication key of the delivery (the
    provider's event or delivery id, else ``sha256:<hex of body>``); ``ack`` is the reply the
    provider expects once the delivery is persisted (None: a plain 200)."""

    event_id: str
    ack: Reply | None = None


@dataclass(frozen=True, slots=True)
class Challenge:
    """A handshake to answer as is (Slack ``url_verification``, Zoom ``endpoint.url_validation``,
    Graph ``validationToken``, Notion's first POST). Nothing is stored as an event.

    ``captured_token`` is set only for Notion: the verification token the operator must copy
    into Notion to activate the subscription. Store it as pending for the registration; never log it.
    """

    status: int
    body: bytes
    content_type: str
    captured_token: SecretStr | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """Base of every rejection. ``code`` is the stable machine code of the API error body."""

    detail: str
    code: ClassVar[str] = "rejected"


@dataclass(frozen=True, slots=True)
class BadSignature(Rejected):
    code: ClassVar[str] = "bad_signature"


@dataclass(frozen=True, slots=True)
class StaleTimestamp(Rejected):
    code: ClassVar[str] = "stale_timestamp"


@dataclass(frozen=True, slots=True)
class MissingHeader(Rejected):
    code: ClassVar[str] = "missing_header"


@dataclass(frozen=True, slots=True)
class NoSecretConfigured(Rejected):
    code: ClassVar[str] = "no_secret_configured"


@dataclass(frozen=True, slots=True)
class Malformed(Rejected):
    code: ClassVar[str] = "malformed"


Verification = Accepted | Challenge | Rejected
"""What every scheme's ``verify`` returns."""


@dataclass(frozen=True, slots=True)
class Authentic:
    """What a scheme module's ``check`` returns on success; ``webhooks.registry.verify`` adds the
    event id and turns it into ``Accepted``."""

    ack: Reply | None = None


SchemeOutcome = Authentic | Challenge | Rejected
"""What a scheme module's ``check`` returns; ``webhooks.registry.verify`` turns it into a Verification."""
