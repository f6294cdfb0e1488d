"""The error tree: retryability on the type, stable codes, JSON round trips."""

import json

import pytest

from core import errors as e

RETRYABLE = [e.RateLimited, e.Timeout, e.ServiceUnavailable, e.ConnectionReset]
PERMANENT = [
    e.AuthenticationFailed, e.AuthExpired, e.InvalidCredentials, e.InvalidGrant, e.PermissionDenied,
    e.NotFound, e.ValidationFailed, e.Conflict, e.PreconditionFailed, e.ResyncRequired,
    e.MalformedResponse, e.ConfigError,
]


@pytest.mark.parametrize("cls", RETRYABLE)
def test_transient_errors_are_retryable(cls: type[e.SyncError]) -> None:
    assert issubclass(cls, e.TransientError) and cls.retryable


@pytest.mark.parametrize("cls", PERMANENT)
def test_permanent_errors_are_not_retryable(cls: type[e.SyncError]) -> None:
    assert issubclass(cls, e.PermanentError) and not cls.retryable


def test_seed_error_classes_keep_their_codes() -> None:
    assert e.RateLimited.code == "RATE_LIMIT"
    assert e.Timeout.code == "TIMEOUT"
    assert e.ServiceUnavailable.code == "SERVICE_UNAVAILABLE"
    assert e.ConnectionReset.code == "CONNECTION_RESET"
    assert e.AuthenticationFailed.code == "AUTHENTICATION_FAILED"
    assert e.InvalidCredentials.code == "INVALID_CREDENTIALS"
    assert e.NotFound.code == "NOT_FOUND"
    assert e.ValidationFailed.code == "VALIDATION_ERROR"


def test_codes_are_unique() -> None:
    classes = [e.SyncError, e.TransientError, e.PermanentError, *RETRYABLE, *PERMANENT]
    codes = [cls.code for cls in classes if cls is not e.SyncError]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("cls", RETRYABLE + PERMANENT)
def test_round_trip_through_json_keeps_class_and_fields(cls: type[e.SyncError]) -> None:
    err = cls("boom", provider="salesforce", status=503, retry_after=2.5)
    back = e.SyncError.from_dict(json.loads(json.dumps(err.to_dict())))
    assert type(back) is cls
    assert (back.message, back.provider, back.status, back.retry_after) == ("boom", "salesforce", 503, 2.5)


def test_subclass_fields_survive_the_round_trip() -> None:
    v = e.SyncError.from_dict(e.ValidationFailed("bad", field_errors={"Name": "required"}).to_dict())
    p = e.SyncError.from_dict(e.PreconditionFailed("stale", current_version='W/"7"').to_dict())
    assert isinstance(v, e.ValidationFailed) and v.field_errors == {"Name": "required"}
    assert isinstance(p, e.PreconditionFailed) and p.current_version == 'W/"7"'


def test_unknown_code_becomes_a_permanent_error() -> None:
    err = e.SyncError.from_dict({"code": "SOMETHING_NEW", "message": "x"})
    assert type(err) is e.PermanentError and err.message == "x"
