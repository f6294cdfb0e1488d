"""Errors raised by every store implementation, whichever backend is behind it::

    StoreError                 base; not retryable as is
    ├── RecordNotFound         the id does not exist for this tenant (another tenant's id included)
    ├── RecordExists           create() on an id that already exists
    ├── StaleETag              compare-and-swap lost: the record changed since it was read (HTTP 412)
    └── StoreUnavailable       retryable: the backend throttled us or could not be reached

Callers decide on the type: ``StaleETag`` means "re-read and try again (or report 412)";
``StoreUnavailable.retryable`` is True.
"""

from __future__ import annotations

from typing import ClassVar


class StoreError(Exception):
    """Base of the store errors."""

    retryable: ClassVar[bool] = False


class RecordNotFound(StoreError):
    """No record with this id in this tenant's partition."""


class RecordExists(StoreError):
    """A create met an existing id."""


class StaleETag(StoreError):
    """The record's ETag (or version) no longer matches the one the caller read."""


class StoreUnavailable(StoreError):
    """The backend is throttling or unreachable; the same call may succeed later."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
