"""Salesforce's REST errors as types; each renders as Salesforce's body `[{"message","errorCode","fields"}]`.

    SalesforceError
      ├── MalformedQuery             400 MALFORMED_QUERY
      ├── InvalidField               400 INVALID_FIELD
      ├── InvalidFieldForInsert      400 INVALID_FIELD_FOR_INSERT_UPDATE
      ├── InvalidType                400 INVALID_TYPE (unknown sObject)
      ├── InvalidQueryLocator        400 INVALID_QUERY_LOCATOR
      ├── JsonParserError            400 JSON_PARSER_ERROR
      ├── InvalidHeader              400 INVALID_HEADER_TYPE
      ├── RequiredFieldMissing       400 REQUIRED_FIELD_MISSING
      ├── DuplicateValue             400 DUPLICATE_VALUE
      ├── NotFound                   404 NOT_FOUND
      ├── EntityIsDeleted            404 ENTITY_IS_DELETED
      ├── PreconditionFailed         412 PRECONDITION_FAILED
      ├── InvalidSession             401 INVALID_SESSION_ID
      ├── RequestLimitExceeded       403 REQUEST_LIMIT_EXCEEDED (or 429 in the sandbox's 429 mode)
      └── ServerUnavailable          503 SERVER_UNAVAILABLE (injected fault)
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import ProviderError


class SalesforceError(ProviderError):
    code = "UNKNOWN_EXCEPTION"

    def __init__(self, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []

    def body(self) -> list[dict[str, Any]]:
        return [{"message": self.message, "errorCode": self.code, "fields": self.fields}]


class MalformedQuery(SalesforceError):
    code = "MALFORMED_QUERY"


class InvalidField(SalesforceError):
    code = "INVALID_FIELD"


class InvalidFieldForInsert(SalesforceError):
    code = "INVALID_FIELD_FOR_INSERT_UPDATE"


class InvalidType(SalesforceError):
    code = "INVALID_TYPE"


class InvalidQueryLocator(SalesforceError):
    code = "INVALID_QUERY_LOCATOR"


class JsonParserError(SalesforceError):
    code = "JSON_PARSER_ERROR"


class InvalidHeader(SalesforceError):
    code = "INVALID_HEADER_TYPE"


class RequiredFieldMissing(SalesforceError):
    code = "REQUIRED_FIELD_MISSING"


class DuplicateValue(SalesforceError):
    code = "DUPLICATE_VALUE"


class NotFound(SalesforceError):
    status = 404
    code = "NOT_FOUND"


class EntityIsDeleted(SalesforceError):
    status = 404
    code = "ENTITY_IS_DELETED"


class PreconditionFailed(SalesforceError):
    status = 412
    code = "PRECONDITION_FAILED"


class InvalidSession(SalesforceError):
    status = 401
    code = "INVALID_SESSION_ID"


class RequestLimitExceeded(SalesforceError):
    status = 403
    code = "REQUEST_LIMIT_EXCEEDED"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """With ``retry_after``: the sandbox's 429 mode, a 429 with ``Retry-After`` instead of Salesforce's 403."""
        super().__init__(message)
        if retry_after is not None:
            self.status, self.retry_after = 429, retry_after


class ServerUnavailable(SalesforceError):
    status = 503
    code = "SERVER_UNAVAILABLE"
