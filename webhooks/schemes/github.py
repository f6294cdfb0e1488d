"""GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>``; no timestamp.

https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
Replays are caught by deduplicating on ``X-GitHub-Delivery``, which redeliveries keep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import Encoding, secret_bytes
from ..request import RawRequest
from ..results import NoSecretConfigured, SchemeOutcome
from ._base import SchemeConfig
from ._hmac import check_signature_header

SIGNATURE_HEADER = "X-Hub-Signature-256"
DELIVERY_HEADER = "X-GitHub-Delivery"


class GitHubConfig(SchemeConfig):
    """GitHub webhook secret."""

    scheme: Literal["github"] = "github"
    secret: SecretStr | None = None


def check(config: GitHubConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify the SHA-256 signature over the raw body."""
    key = secret_bytes(config.secret)
    if key is None:
        return NoSecretConfigured("no GitHub webhook secret configured")
    return check_signature_header(request, SIGNATURE_HEADER, key, request.body, Encoding.HEX, "sha256=")


def event_id(config: GitHubConfig, request: RawRequest) -> str | None:
    """``X-GitHub-Delivery``: one GUID per event, kept on redelivery."""
    return request.header(DELIVERY_HEADER)
