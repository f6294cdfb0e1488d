"""Dataverse errors as types; each renders as OData's `{"error": {"code": "0x...", "message": ...}}`.

    DataverseError
      ├── InvalidProperty          400 0x80060888 (unknown property in $select/$filter/$orderby)
      ├── InvalidPayload           400 0x80048d19 (body does not match the entity)
      ├── InvalidArgument          400 0x80040265
      ├── ExpiredVersionStamp      400 0x80044352 (change-tracking token too old)
      ├── SegmentNotFound          404 0x8006088a (unknown entity set)
      ├── ObjectDoesNotExist       404 0x80040217
      ├── VersionMismatch          412 0x80060882 (If-Match ETag differs)
      ├── DuplicateRecord          412 0x80040237 (create with an existing key)
      ├── ServiceProtection        429 0x80072322 (with Retry-After)
      └── ServiceUnavailable       503 0x80040216 (injected fault)
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import ProviderError


class DataverseError(ProviderError):
    code = "0x80040265"

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


class InvalidProperty(DataverseError):
    code = "0x80060888"


class InvalidPayload(DataverseError):
    code = "0x80048d19"


class InvalidArgument(DataverseError):
    code = "0x80040265"


class ExpiredVersionStamp(DataverseError):
    code = "0x80044352"


class SegmentNotFound(DataverseError):
    status = 404
    code = "0x8006088a"


class ObjectDoesNotExist(DataverseError):
    status = 404
    code = "0x80040217"


class VersionMismatch(DataverseError):
    status = 412
    code = "0x80060882"


class DuplicateRecord(DataverseError):
    status = 412
    code = "0x80040237"


class ServiceProtection(DataverseError):
    status = 429
    code = "0x80072322"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(DataverseError):
    status = 503
    code = "0x80040216"
