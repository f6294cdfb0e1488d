"""OAuth 2.0 token bookkeeping for one simulated provider: clients, refresh-token families, access tokens.

Refresh-token rotation is an option (as in Salesforce's connected apps): when on, every refresh returns a
new refresh token and the used one dies, so two workers refreshing at once make one of them fail with
`invalid_grant` (RFC 6749 §5.2). With `revoke_family_on_reuse` the reuse also revokes every token of the
family, as RFC 9700 §4.14.2 recommends. Every successful grant is counted so races are visible.

    OAuthError
      ├── InvalidRequest        400 invalid_request
      ├── InvalidClient         400 invalid_client (unknown id or wrong secret)
      ├── InvalidGrant          400 invalid_grant (unknown, used or revoked refresh token)
      └── UnsupportedGrantType  400 unsupported_grant_type
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass

from sandbox.clock import Clock


class OAuthError(Exception):
    """A token request the server refuses; `error` is the RFC 6749 code."""

    error = "invalid_request"
    status = 400

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class TokenStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass
class _RefreshGrant:
    client_id: str
    family: str
    active: bool = True


@dataclass
class _AccessGrant:
    client_id: str
    family: str
    expires_at: float


@dataclass(frozen=True)
class IssuedTokens:
    """What a grant produced; `refresh_token` is None when none is returned (no rotation, client creds)."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    issued_at_ms: int


class OAuthState:
    """Clients and tokens of one provider. Token prefixes make a token's provider obvious in logs."""

    def __init__(self, provider: str, clock: Clock, prefix: str) -> None:
        self.provider = provider
        self._clock = clock
        self._prefix = prefix
        self.clients: dict[str, str] = {}
        self._refresh: dict[str, _RefreshGrant] = {}
        self._access: dict[str, _AccessGrant] = {}

    def register_client(self, client_id: str | None = None, client_secret: str | None = None) -> tuple[str, str]:
        cid = client_id or f"{self.provider}-client-{secrets.token_hex(6)}"
        secret = client_secret or secrets.token_urlsafe(24)
        self.clients[cid] = secret
        return cid, secret

    def _authenticate(self, client_id: str | None, client_secret: str | None, *, secret_required: bool) -> str:
        if not client_id or client_id not in self.clients:
            raise InvalidClient("client identifier invalid")
        if client_secret is None and secret_required:
            raise InvalidClient("client secret required")
        if client_secret is not None and not secrets.compare_digest(client_secret, self.clients[client_id]):
            raise InvalidClient("invalid client credentials")
        return client_id

    def _mint_access(self, client_id: str, family: str, lifetime: float) -> IssuedTokens:
        token = f"{self._prefix}at.{secrets.token_urlsafe(32)}"
        now = self._clock.time()
        self._access[token] = _AccessGrant(client_id, family, now + lifetime)
        return IssuedTokens(token, None, int(lifetime), int(now * 1000))

    def _mint_refresh(self, client_id: str, family: str) -> str:
        token = f"{self._prefix}rt.{secrets.token_urlsafe(32)}"
        self._refresh[token] = _RefreshGrant(client_id, family)
        return token

    def issue_pair(self, client_id: str, lifetime: float) -> IssuedTokens:
        """A fresh token family for a registered client (what an authorization-code grant would give)."""
        self._authenticate(client_id, None, secret_required=False)
        family = secrets.token_hex(8)
        issued = self._mint_access(client_id, family, lifetime)
        return IssuedTokens(issued.access_token, self._mint_refresh(client_id, family), issued.expires_in,
                            issued.issued_at_ms)

    def refresh(
        self,
        client_id: str | None,
        client_secret: str | None,
        refresh_token: str | None,
        *,
        lifetime: float,
        rotate: bool,
        revoke_family_on_reuse: bool,
        keep_old: bool = False,
    ) -> IssuedTokens:
        """grant_type=refresh_token. With `rotate` the answer carries a new refresh token; with `keep_old`
        the used one stays valid (Microsoft's rotation, which never revokes)."""
        cid = self._authenticate(client_id, client_secret, secret_required=False)
        if not refresh_token:
            raise InvalidRequest("refresh_token is required")
        grant = self._refresh.get(refresh_token)
        if grant is None or grant.client_id != cid:
            raise InvalidGrant("expired access/refresh token")
        if not grant.active:
            if revoke_family_on_reuse:
                self._revoke_family(grant.family)
            raise InvalidGrant("expired access/refresh token")
        issued = self._mint_access(cid, grant.family, lifetime)
        if not rotate:
            return issued
        grant.active = keep_old
        new_refresh = self._mint_refresh(cid, grant.family)
        return IssuedTokens(issued.access_token, new_refresh, issued.expires_in, issued.issued_at_ms)

    def client_credentials(self, client_id: str | None, client_secret: str | None, lifetime: float) -> IssuedTokens:
        """grant_type=client_credentials: an access token only."""
        cid = self._authenticate(client_id, client_secret, secret_required=True)
        return self._mint_access(cid, secrets.token_hex(8), lifetime)

    def _revoke_family(self, family: str) -> None:
        for grant in self._refresh.values():
            if grant.family == family:
                grant.active = False
        for token in [t for t, g in self._access.items() if g.family == family]:
            del self._access[token]

    def check(self, access_token: str) -> TokenStatus:
        grant = self._access.get(access_token)
        if grant is None:
            return TokenStatus.UNKNOWN
        return TokenStatus.VALID if self._clock.time() < grant.expires_at else TokenStatus.EXPIRED

    def expire_all(self) -> int:
        """Make every access token expired now (a 'session timeout' in the middle of a run)."""
        now = self._clock.time()
        for grant in self._access.values():
            grant.expires_at = min(grant.expires_at, now)
        return len(self._access)

    def clear_tokens(self) -> None:
        self._refresh.clear()
        self._access.clear()
