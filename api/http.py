"""What every management route shares: JSON error responses, body parsing, route ids, ETags.

Errors are raised as types and rendered in one place (``api_errors``), as api.md's
``{"error": {"code", "message", "details"}}``::

    ApiError                    status, code, message, details, extra top-level fields
    ├── BadRequest              400 malformed JSON, bad id or query parameter
    ├── NotFound                404 (another tenant's id included)
    ├── Conflict                409 running sync, inactive integration, id taken
    ├── PreconditionFailed      412 If-Match no longer current
    ├── PayloadTooLarge         413
    ├── UnsupportedMediaType    415 a body that is not JSON
    ├── Unprocessable           422 valid JSON, invalid content; details name each bad field
    └── Unavailable             503 a store or a lease is busy; Retry-After when known

Store errors (``stores.errors``) and transient engine errors are mapped too, so a handler only
raises what it means. Nothing here ever echoes an input value (it may be a secret).
"""

from __future__ import annotations

import functools
import inspect
import json
import math
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar, TypeVar, cast

import azure.functions as func
from pydantic import BaseModel, TypeAdapter, ValidationError

from core import errors as engine_errors
from core.models import Identifier, validation_details
from stores.errors import RecordExists, RecordNotFound, StaleETag, StoreUnavailable

MAX_BODY_BYTES = 1024 * 1024  # management bodies are configurations and records, never bulk data
JSON = "application/json"

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=StrEnum)


class ErrorCode(StrEnum):
    """The ``error.code`` values clients can decide on."""

    MALFORMED_JSON = "malformed_json"
    INVALID_ID = "invalid_id"
    INVALID_PARAMETER = "invalid_parameter"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    ALREADY_EXISTS = "already_exists"
    SYNC_RUNNING = "sync_running"
    INTEGRATION_PAUSED = "integration_paused"
    INTEGRATION_NEEDS_REAUTH = "integration_needs_reauth"
    PRECONDITION_FAILED = "precondition_failed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION_FAILED = "validation_failed"
    UNAVAILABLE = "unavailable"


class ApiError(Exception):
    """An error answer; subclasses fix the status and the default code."""

    status: ClassVar[int] = 400
    default_code: ClassVar[ErrorCode] = ErrorCode.MALFORMED_JSON

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        details: Sequence[Mapping[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = [dict(d) for d in details]
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def response(self) -> func.HttpResponse:
        return error_response(self.status, self.code, self.message, self.details, headers=self.headers,
                              **self.extra)


class BadRequest(ApiError):
    status = 400
    default_code = ErrorCode.MALFORMED_JSON


class NotFound(ApiError):
    status = 404
    default_code = ErrorCode.NOT_FOUND


class Conflict(ApiError):
    status = 409
    default_code = ErrorCode.CONFLICT


class PreconditionFailed(ApiError):
    status = 412
    default_code = ErrorCode.PRECONDITION_FAILED


class PayloadTooLarge(ApiError):
    status = 413
    default_code = ErrorCode.PAYLOAD_TOO_LARGE


class UnsupportedMediaType(ApiError):
    status = 415
    default_code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class Unprocessable(ApiError):
    status = 422
    default_code = ErrorCode.VALIDATION_FAILED


class Unavailable(ApiError):
    status = 503
    default_code = ErrorCode.UNAVAILABLE


# Responses -------------------------------------------------------------------------------------------


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None
                  ) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body), status_code=status, headers=dict(headers or {}), mimetype=JSON)


def no_content() -> func.HttpResponse:
    return func.HttpResponse(status_code=204)


def error_response(
    status: int,
    code: ErrorCode,
    message: str,
    details: Sequence[Mapping[str, Any]] = (),
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> func.HttpResponse:
    """api.md's error body; ``extra`` adds top-level fields (the running sync's ``id``)."""
    body = {"error": {"code": code.value, "message": message, "details": [dict(d) for d in details]}, **extra}
    return json_response(body, status, headers)


def _from_engine_error(exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RecordNotFound):
        return NotFound("not found")
    if isinstance(exc, StaleETag):
        return Conflict("the resource changed concurrently; read it again and retry")
    if isinstance(exc, RecordExists):
        return Conflict("a resource with this id already exists", code=ErrorCode.ALREADY_EXISTS)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after else None
    return Unavailable("the service is busy; try again", headers=headers)


# Store and transient errors a handler may let through; anything else is a bug (500, no trace shown).
_MAPPED = (ApiError, RecordNotFound, StaleETag, RecordExists, StoreUnavailable, engine_errors.TransientError)


def api_errors(handler: F) -> F:
    """Render ``ApiError`` (and the mapped store/engine errors) raised by ``handler`` as JSON answers.

    Works on plain and ``async`` handlers and keeps their signature (the Functions decorators read it).
    """
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await handler(*args, **kwargs)
            except _MAPPED as exc:
                return _from_engine_error(exc).response()

        return cast(F, run_async)

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except _MAPPED as exc:
            return _from_engine_error(exc).response()

    return cast(F, run)


# Requests --------------------------------------------------------------------------------------------

_NOTHING = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # 1e999 parses as infinity, which could be stored and later served as invalid JSON.
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def _is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == JSON or (media.startswith("application/") and media.endswith("+json"))


def read_json(req: func.HttpRequest, *, default: Any = _NOTHING, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body. An empty body gives ``default`` when one is given, else 400.

    413 over ``max_bytes``, 415 for a declared non-JSON Content-Type (a missing one is read as JSON),
    400 for malformed JSON (NaN, Infinity, out-of-range numbers and absurd nesting included).
    """
    body = req.get_body() or b""
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"the body exceeds {max_bytes} bytes")
    if not body.strip():
        if default is _NOTHING:
            raise BadRequest("a JSON body is required")
        return default
    content_type = req.headers.get("content-type")
    if content_type and not _is_json_media_type(content_type):
        raise UnsupportedMediaType("the body must be application/json")
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the request body is not valid JSON") from None


def validate(model: type[M], data: Any) -> M:
    """``model.model_validate(data)``, or 422 with one detail per bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable("the body is not valid", details=validation_details(exc)) from None


def require_object(data: Any) -> dict[str, Any]:
    """The body as a JSON object, or 422 on ``body``."""
    if not isinstance(data, dict):
        raise Unprocessable("the body must be a JSON object",
                            details=[{"field": "body", "message": "must be a JSON object"}])
    return data


_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)
_ID_RULE = "letters, digits and . _ : - only, 1-128 characters"


def route_id(req: func.HttpRequest, name: str) -> str:
    """A route parameter that must be an ``Identifier`` (tenant, integration, shard, run ids); 400 if not."""
    value = req.route_params.get(name, "")
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError:
        raise BadRequest(f"{name} is not a valid id", code=ErrorCode.INVALID_ID,
                         details=[{"field": name, "message": _ID_RULE}]) from None


def tenant_id(req: func.HttpRequest) -> str:
    """The ``{tenantId}`` every store call of the request is scoped to."""
    return route_id(req, "tenantId")


def query_int(req: func.HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = req.params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadRequest(f"{name} must be an integer from {low} to {high}", code=ErrorCode.INVALID_PARAMETER,
                         details=[{"field": name, "message": f"must be an integer from {low} to {high}"}])
    return value


def query_enum(req: func.HttpRequest, name: str, enum: type[E]) -> E | None:
    """An optional query parameter that must be one of ``enum``'s values; 400 otherwise."""
    raw = req.params.get(name)
    if not raw:
        return None
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise BadRequest(f"{name} must be one of {allowed}", code=ErrorCode.INVALID_PARAMETER,
                         details=[{"field": name, "message": f"must be one of {allowed}"}]) from None


# ETags -----------------------------------------------------------------------------------------------


def _opaque(tag: str) -> str:
    tag = tag.strip()
    tag = tag[2:] if tag.startswith("W/") else tag
    return tag.strip('"')


def etag_headers(etag: str | None) -> dict[str, str]:
    """The ``ETag`` header of a stored ETag (quoted, as HTTP wants; Cosmos ETags already are)."""
    if not etag:
        return {}
    return {"ETag": etag if etag.startswith(('"', 'W/"')) else f'"{etag}"'}


def if_match_satisfied(req: func.HttpRequest, current_etag: str | None) -> bool:
    """True without an ``If-Match`` header, for ``*``, or when one listed tag is ``current_etag``.

    Tags compare without quotes, so both the ``ETag`` header and the body's ``etag`` work.
    """
    header = req.headers.get("if-match")
    if header is None or not header.strip():
        return True
    tags = [_opaque(t) for t in header.split(",")]
    if "*" in tags:
        return True
    return current_etag is not None and _opaque(current_etag) in tags
