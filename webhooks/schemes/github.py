"""GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>``; no timestamp.

https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
Replays are caught by deduplicating on ``X-GitHub-Delivery``, which redeliveries keep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from ..crypto import Encoding
from ..request import RawRequest
from ..results import SchemeOutcome
from ._base import SchemeConfig
from ._hmac import check_body_hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"
DELIVERY_HEADER = "X-GitHub-Delivery"


class GitHubConfig(SchemeConfig):
    """GitHub webhook secret."""

    scheme: Literal["github"] = "github"
    secret: SecretStr | None = None


def check(config: GitHubConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """Verify the SHA-256 signature over the raw body."""
    return check_body_hmac(
        request, config.secret, SIGNATURE_HEADER, Encoding.HEX, "sha256=",
        unconfigured="no GitHub webhook secret configured",
    )


def event_id(config: GitHubConfig, request: RawRequest) -> str | None:
    """``X-GitHub-Delivery``: one GUID per event, kept on redelivery."""
    return request.header(DELIVERY_HEADER)
