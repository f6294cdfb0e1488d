"""RS256 JWT checks shared by Google Pub/Sub push and Gong, on PyJWT, with an injected clock.

PyJWT and ``cryptography`` (about 9 MB in every process) are imported on the first check, not with the app:
most deployments never receive a webhook signed this way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..request import RawRequest
from ..results import BadSignature, MissingHeader, Rejected, StaleTimestamp

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

ALGORITHMS = ["RS256"]
_PEM_KEY = ("-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----")


@lru_cache(maxsize=256)
def rsa_public_key(text: str) -> RSAPublicKey | None:
    """An RSA public key from a JWK (JSON, as Google's v3 certs), a PEM public key, a PEM X.509
    certificate (Google's v1 certs), or the bare base64 body Gong's UI shows. None when the text is
    none of these (a configuration error)."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from cryptography.x509 import load_pem_x509_certificate

    pem = text.strip()
    if pem.startswith("{"):
        return _from_jwk(pem)
    if "-----BEGIN" not in pem:
        pem = f"{_PEM_KEY[0]}\n{''.join(pem.split())}\n{_PEM_KEY[1]}"
    try:
        if "CERTIFICATE-----" in pem:
            key: object = load_pem_x509_certificate(pem.encode("ascii")).public_key()
        else:
            key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return key if isinstance(key, RSAPublicKey) else None


def _from_jwk(text: str) -> RSAPublicKey | None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    try:
        key = jwt.PyJWK(json.loads(text), algorithm="RS256").key
    except (ValueError, jwt.PyJWKError, jwt.InvalidKeyError):
        return None
    return key if isinstance(key, RSAPublicKey) else None


def bearer_token(request: RawRequest, header: str) -> str | Rejected:
    """The token in ``header``, with an optional ``Bearer `` prefix removed."""
    value = (request.header(header) or "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    if not value:
        return MissingHeader(f"{header} header carries no token")
    if not value.isascii():
        return BadSignature(f"{header} does not carry a compact JWS")
    return value


def unverified_kid(token: str) -> str | None:
    """The ``kid`` of the token's header (used only to pick a configured key)."""
    import jwt

    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError:
        return None
    return kid if isinstance(kid, str) else None


def decode_rs256(
    token: str,
    key: RSAPublicKey,
    now: datetime,
    *,
    leeway_seconds: int,
    audience: str | None = None,
    issuers: Sequence[str] | None = None,
    require: Sequence[str] = (),
) -> dict[str, Any] | Rejected:
    """Verify signature, audience and issuer with PyJWT; time claims against ``now`` (not the wall clock)."""
    import jwt

    options: dict[str, Any] = {
        "verify_exp": False,
        "verify_iat": False,
        "verify_nbf": False,
        "verify_aud": audience is not None,
        "verify_iss": issuers is not None,
        "require": list(require),
    }
    try:
        claims = jwt.decode(
            token, key, algorithms=ALGORITHMS, audience=audience,
            issuer=list(issuers) if issuers is not None else None, options=options,  # type: ignore[arg-type]
        )
    except jwt.MissingRequiredClaimError as exc:
        return BadSignature(f"token lacks the {exc.claim!r} claim")
    except jwt.InvalidAudienceError:
        return BadSignature("token audience does not match")
    except jwt.InvalidIssuerError:
        return BadSignature("token issuer does not match")
    except jwt.InvalidTokenError:
        return BadSignature("token signature or format is invalid")
    return _check_times(claims, now.timestamp(), leeway_seconds) or claims


def _check_times(claims: dict[str, Any], now: float, leeway: int) -> Rejected | None:
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            return BadSignature(f"token {name} claim is not a number")
    if "exp" in claims and now > claims["exp"] + leeway:
        return StaleTimestamp("token has expired")
    if "nbf" in claims and now + leeway < claims["nbf"]:
        return StaleTimestamp("token is not valid yet")
    if "iat" in claims and now + leeway < claims["iat"]:
        return StaleTimestamp("token was issued in the future")
    return None
