"""Slack v0: ``X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{ts}:{raw body}")>``.

https://api.slack.com/authentication/verifying-requests-from-slack (and slackapi/python-slack-sdk
``slack_sdk/signature``): ``X-Slack-Request-Timestamp`` must be within five minutes. The Events API
``url_verification`` request is signed too; it is answered only after the signature checks out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..request import RawRequest
from ..results import Challenge, Malformed, SchemeOutcome
from ._base import SchemeConfig, Tolerance
from ._hmac import check_v0
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
    return check_v0(
        request,
        config.signing_secret,
        now,
        signature_header=SIGNATURE_HEADER,
        timestamp_header=TIMESTAMP_HEADER,
        tolerance_seconds=config.tolerance_seconds,
        unconfigured="no Slack signing secret configured",
        handshake=_url_verification,
    )


def _url_verification(request: RawRequest, key: bytes) -> Challenge | Malformed | None:
    """Slack's endpoint check: echo ``challenge`` as text/plain (https://api.slack.com/events/url_verification);
    unlike Zoom's, the answer does not involve the key."""
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
