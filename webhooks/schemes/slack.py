"""Slack v0: ``X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{ts}:{raw body}")>``.

https://api.slack.com/authentication/verifying-requests-from-slack (and slackapi/python-slack-sdk
``slack_sdk/signature``): ``X-Slack-Request-Timestamp`` must be within five minutes. The Events API
``url_verification`` request is signed too; it is answered only after the signature checks out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import Encoding, secret_bytes
from ..request import RawRequest
from ..results import (
    Authentic,
    Challenge,
    Malformed,
    NoSecretConfigured,
    Rejected,
    SchemeOutcome,
)
from ._base import SchemeConfig, Tolerance
from ._hmac import check_signature_header, signed_timestamp
from ._json import json_object, string_field

SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"


class SlackConfig(SchemeConfig):
    """The app's signing secret (used as a UTF-8 string, not base64-decoded)."""

    scheme: Literal["slack"] = "slack"
    signing_secret: SecretStr | None = None
    tolerance_seconds: int = Tolerance


def check(config: SlackConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify timestamp window and v0 signature; then answer ``url_verification`` if that is what it is."""
    key = secret_bytes(config.signing_secret)
    if key is None:
        return NoSecretConfigured("no Slack signing secret configured")
    raw_ts = signed_timestamp(request, TIMESTAMP_HEADER, now, config.tolerance_seconds)
    if isinstance(raw_ts, Rejected):
        return raw_ts
    message = b"v0:" + raw_ts.encode("ascii") + b":" + request.body
    outcome = check_signature_header(request, SIGNATURE_HEADER, key, message, Encoding.HEX, "v0=")
    if not isinstance(outcome, Authentic):
        return outcome
    return _url_verification(request) or outcome


def _url_verification(request: RawRequest) -> Challenge | Malformed | None:
    """Slack's endpoint check: echo ``challenge`` as text/plain (https://api.slack.com/events/url_verification)."""
    document = json_object(request.body)
    if string_field(document, "type") != "url_verification":
        return None
    challenge = string_field(document, "challenge")
    if challenge is None:
        return Malformed("url_verification without a challenge")
    return Challenge(200, challenge.encode("utf-8"), "text/plain; charset=utf-8")


def event_id(config: SlackConfig, request: RawRequest) -> str | None:
    """The Events API ``event_id`` (kept on retries); form-encoded bodies fall back to the body hash."""
    return string_field(json_object(request.body), "event_id")
