"""HubSpot request validation: v3 (HMAC, with a timestamp) and, for legacy apps, v1/v2 (plain SHA-256).

https://developers.hubspot.com/docs/api/webhooks/validating-requests and HubSpot/hubspot-api-python
``hubspot/utils/signature.py``:

=====  ==========================================  ====================  =======
ver    signed string                               algorithm             output
=====  ==========================================  ====================  =======
v1     client_secret + body                        SHA-256 (no HMAC)     hex
v2     client_secret + METHOD + URI + body         SHA-256 (no HMAC)     hex
v3     METHOD + URI + body + timestamp             HMAC-SHA256(secret)   base64
=====  ==========================================  ====================  =======

v3's ``X-HubSpot-Request-Timestamp`` is in milliseconds and must be within five minutes. v1/v2
carry no timestamp (no replay protection), so they are refused unless ``allow_legacy`` is set.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal
from urllib.parse import unquote

from pydantic import SecretStr

from ..crypto import (
    Encoding,
    TimeUnit,
    decode_signature,
    equal,
    secret_bytes,
    sha256_hex,
)
from ..request import RawRequest
from ..results import (
    Authentic,
    BadSignature,
    MissingHeader,
    NoSecretConfigured,
    Rejected,
    SchemeOutcome,
)
from ._base import SchemeConfig, Tolerance
from ._hmac import check_signature_header, signed_timestamp
from ._json import load_json

V3_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
LEGACY_HEADER = "X-HubSpot-Signature"
VERSION_HEADER = "X-HubSpot-Signature-Version"


class HubSpotConfig(SchemeConfig):
    """The app's client secret; ``allow_legacy`` admits v1/v2 signatures when no v3 header is sent."""

    scheme: Literal["hubspot"] = "hubspot"
    client_secret: SecretStr | None = None
    allow_legacy: bool = False
    tolerance_seconds: int = Tolerance


def v3_uri(url: str) -> str:
    """The URI as v3 signs it: URL-encoded characters decoded, except an encoded ``?`` (``%3F``)."""
    parts = url.replace("%3f", "%3F").split("%3F")
    return "%3F".join(unquote(part) for part in parts)


def check(config: HubSpotConfig, request: RawRequest, now: datetime) -> SchemeOutcome:
    """v3 when its header is present; otherwise v1/v2 if the registration allows legacy signatures."""
    key = secret_bytes(config.client_secret)
    if key is None:
        return NoSecretConfigured("no HubSpot client secret configured")
    if request.header(V3_HEADER) is not None or not config.allow_legacy:
        return _check_v3(config, key, request, now)
    return _check_legacy(key, request)


def _check_v3(config: HubSpotConfig, key: bytes, request: RawRequest, now: datetime) -> SchemeOutcome:
    raw_ts = signed_timestamp(request, TIMESTAMP_HEADER, now, config.tolerance_seconds, TimeUnit.MILLISECONDS)
    if isinstance(raw_ts, Rejected):
        return raw_ts
    head = (request.method + v3_uri(request.url)).encode("utf-8")
    message = head + request.body + raw_ts.encode("ascii")
    return check_signature_header(request, V3_HEADER, key, message, Encoding.BASE64)


def _check_legacy(key: bytes, request: RawRequest) -> SchemeOutcome:
    signature = request.header(LEGACY_HEADER)
    if signature is None:
        return MissingHeader(f"{V3_HEADER} and {LEGACY_HEADER} headers are absent")
    version = (request.header(VERSION_HEADER) or "").strip().lower()
    if version == "v1":
        source = key + request.body
    elif version == "v2":
        source = key + (request.method + request.url).encode("utf-8") + request.body
    else:
        return BadSignature(f"{VERSION_HEADER} is not v1 or v2")
    expected = hashlib.sha256(source).digest()
    if not equal(expected, decode_signature(signature.strip(), Encoding.HEX)):
        return BadSignature(f"{LEGACY_HEADER} ({version}) does not match the body")
    return Authentic()


def event_id(config: HubSpotConfig, request: RawRequest) -> str | None:
    """The ``eventId`` of a one-event batch; for larger batches a hash of the sorted event ids
    (``attemptNumber`` changes on retry, so hashing the whole body would not deduplicate)."""
    document = load_json(request.body)
    if not isinstance(document, list) or not document:
        return None
    ids = [item.get("eventId") for item in document if isinstance(item, dict)]
    if len(ids) != len(document) or any(i is None or isinstance(i, bool | dict | list) for i in ids):
        return None
    if len(ids) == 1:
        return f"hubspot-event:{ids[0]}"
    return "hubspot-events:" + sha256_hex(",".join(sorted(str(i) for i in ids)).encode("utf-8"))
