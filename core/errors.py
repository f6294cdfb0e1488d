"""The typed error tree of the sync engine, with retryability on the type.

Adapters raise these; activities and orchestrators decide on them by type (or by
``code`` once an error has crossed an activity boundary as JSON)::

    SyncError                         (message, provider, status, retry_after)
    ├── TransientError                retryable: the same call may succeed later
    │   ├── RateLimited               RATE_LIMIT: 429 / quota; retry_after says how long
    │   ├── Timeout                   TIMEOUT: connect/read timeout, 408, 504
    │   ├── ServiceUnavailable        SERVICE_UNAVAILABLE: 5xx, provider maintenance
    │   └── ConnectionReset           CONNECTION_RESET: dropped connection, truncated stream
    └── PermanentError                not retryable as is: needs a person, new input or a resync
        ├── AuthenticationFailed      AUTHENTICATION_FAILED: 401 after the auth flow gave up
        │   └── AuthExpired           AUTH_EXPIRED: access token expired (refreshable)
        ├── InvalidCredentials        INVALID_CREDENTIALS: client id/secret/key rejected
        │   └── InvalidGrant          INVALID_GRANT: refresh token revoked/expired, re-consent needed
        ├── PermissionDenied          PERMISSION_DENIED: 403, missing scope or field permission
        ├── NotFound                  NOT_FOUND: 404, entity or record gone
        ├── ValidationFailed          VALIDATION_ERROR: 400/422 with field_errors
        ├── Conflict                  CONFLICT: 409, duplicate or concurrent change
        │   └── PreconditionFailed    PRECONDITION_FAILED: 412 If-Match / If-Unmodified-Since, current_version
        ├── ResyncRequired            RESYNC_REQUIRED: delta token expired (Graph 410): full sync
        ├── MalformedResponse         MALFORMED_RESPONSE: body not in the provider's documented shape
        └── ConfigError               CONFIG_ERROR: our configuration is wrong (missing field, bad URL)

``TransientError`` says "retry"; how long to wait is ``retry_after`` (seconds) when the
provider said so. Short waits are retried inside the adapter's HTTP policy; anything longer
reaches the orchestrator, which waits on a durable timer.

Errors cross activity boundaries as JSON: ``err.to_dict()`` then ``SyncError.from_dict(d)``
rebuilds the same class from its stable ``code``. This module imports no HTTP client and no
Azure SDK.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    """Stable codes; the first eight are the error classes of the user's design (seed 002)."""

    RATE_LIMIT = "RATE_LIMIT"
    TIMEOUT = "TIMEOUT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    CONNECTION_RESET = "CONNECTION_RESET"
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    TRANSIENT_ERROR = "TRANSIENT_ERROR"
    PERMANENT_ERROR = "PERMANENT_ERROR"
    AUTH_EXPIRED = "AUTH_EXPIRED"
    INVALID_GRANT = "INVALID_GRANT"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    CONFLICT = "CONFLICT"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    RESYNC_REQUIRED = "RESYNC_REQUIRED"
    MALFORMED_RESPONSE = "MALFORMED_RESPONSE"
    CONFIG_ERROR = "CONFIG_ERROR"


_BY_CODE: dict[ErrorCode, type[SyncError]] = {}


class SyncError(Exception):
    """Base of every error the engine raises about a provider or a sync.

    ``status`` is the provider's HTTP status when there was one; ``retry_after`` is in
    seconds. ``code`` and ``retryable`` are class attributes: decide on the type.
    """

    code: ClassVar[ErrorCode] = ErrorCode.PERMANENT_ERROR
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.retry_after = retry_after

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only the class that introduces a code owns it, so from_dict is unambiguous.
        if "code" in cls.__dict__:
            _BY_CODE[cls.code] = cls

    def _extra(self) -> dict[str, Any]:
        """Subclass-specific fields for to_dict (kept JSON-native)."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict that ``SyncError.from_dict`` turns back into this class."""
        data: dict[str, Any] = {
            "code": self.code.value,
            "retryable": self.retryable,
            "message": self.message,
            "provider": self.provider,
            "status": self.status,
            "retry_after": self.retry_after,
        }
        data.update(self._extra())
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SyncError:
        """Rebuild an error from ``to_dict`` output; an unknown code gives a plain PermanentError."""
        try:
            target = _BY_CODE[ErrorCode(data.get("code", ""))]
        except ValueError:
            target = PermanentError
        return target._from_fields(data)

    @classmethod
    def _from_fields(cls, data: dict[str, Any]) -> SyncError:
        return cls(
            str(data.get("message", "")),
            provider=data.get("provider"),
            status=data.get("status"),
            retry_after=data.get("retry_after"),
            **cls._extra_from(data),
        )

    @classmethod
    def _extra_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The subclass-specific constructor arguments found in ``data``."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, provider={self.provider!r}, status={self.status!r})"


# ---------------------------------------------------------------- retryable


class TransientError(SyncError):
    """The same request may succeed later; wait ``retry_after`` seconds when it is set."""

    code = ErrorCode.TRANSIENT_ERROR
    retryable = True


class RateLimited(TransientError):
    """The provider throttled us (429, Salesforce REQUEST_LIMIT_EXCEEDED, Dataverse service protection)."""

    code = ErrorCode.RATE_LIMIT


class Timeout(TransientError):
    """The request timed out (client side, 408 or 504)."""

    code = ErrorCode.TIMEOUT


class ServiceUnavailable(TransientError):
    """The provider failed on its side (5xx) or is in maintenance."""

    code = ErrorCode.SERVICE_UNAVAILABLE


class ConnectionReset(TransientError):
    """The connection dropped or the response stream was cut."""

    code = ErrorCode.CONNECTION_RESET


# ------------------------------------------------------------ not retryable


class PermanentError(SyncError):
    """Retrying the same request will not help."""

    code = ErrorCode.PERMANENT_ERROR


class AuthenticationFailed(PermanentError):
    """The provider rejected our token (401) and the auth flow could not fix it."""

    code = ErrorCode.AUTHENTICATION_FAILED


class AuthExpired(AuthenticationFailed):
    """The access token expired: a refresh can fix it (the auth flow tries once by itself)."""

    code = ErrorCode.AUTH_EXPIRED


class InvalidCredentials(PermanentError):
    """The client credentials, API key or password were rejected."""

    code = ErrorCode.INVALID_CREDENTIALS


class InvalidGrant(InvalidCredentials):
    """The refresh token or grant is invalid, expired or revoked: the connection needs re-consent."""

    code = ErrorCode.INVALID_GRANT


class PermissionDenied(PermanentError):
    """Authenticated, but not allowed (missing scope, object or field permission)."""

    code = ErrorCode.PERMISSION_DENIED


class NotFound(PermanentError):
    """The entity or record does not exist (or no longer exists)."""

    code = ErrorCode.NOT_FOUND


class ValidationFailed(PermanentError):
    """The provider rejected the data; ``field_errors`` maps a field name to its message."""

    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = dict(field_errors or {})

    def _extra(self) -> dict[str, Any]:
        return {"field_errors": self.field_errors}

    @classmethod
    def _extra_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {"field_errors": data.get("field_errors")}


class Conflict(PermanentError):
    """The write conflicts with the provider's state (duplicate value, concurrent change)."""

    code = ErrorCode.CONFLICT


class PreconditionFailed(Conflict):
    """A conditional write lost: the record changed since ``if_version``; ``current_version`` if known."""

    code = ErrorCode.PRECONDITION_FAILED

    def __init__(self, message: str, *, current_version: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.current_version = current_version

    def _extra(self) -> dict[str, Any]:
        return {"current_version": self.current_version}

    @classmethod
    def _extra_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {"current_version": data.get("current_version")}


class ResyncRequired(PermanentError):
    """The incremental cursor is no longer valid (Graph 410, expired delta/change token): run a full sync."""

    code = ErrorCode.RESYNC_REQUIRED


class MalformedResponse(PermanentError):
    """The provider answered with a body we cannot read (not JSON, truncated, wrong shape)."""

    code = ErrorCode.MALFORMED_RESPONSE


class ConfigError(PermanentError):
    """Our side is misconfigured (missing connection field, unsupported entity or credential type)."""

    code = ErrorCode.CONFIG_ERROR
