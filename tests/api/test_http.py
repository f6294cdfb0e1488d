"""The shared helpers and the route table: auth level, error shape, ETags, store-error mapping."""

from __future__ import annotations

import json

import azure.functions as func
import pytest

from api.http import (
    BadRequest,
    ErrorCode,
    NotFound,
    api_errors,
    etag_headers,
    if_match_satisfied,
    read_json,
)
from stores.errors import RecordExists, StaleETag, StoreUnavailable
from tests.api.conftest import api_routes


def request(body: bytes = b"", headers: dict[str, str] | None = None) -> func.HttpRequest:
    return func.HttpRequest("PUT", "http://h/api/x", headers=headers or {}, params={}, route_params={},
                            body=body)


def test_every_route_needs_the_function_key_and_lives_under_a_tenant() -> None:
    routes = api_routes()
    assert len(routes) == 17
    for fn in routes:
        assert fn.auth_level == "FUNCTION", fn.name
        assert fn.route.template.startswith("api/tenants/{tenantId}/"), fn.route.template
    assert len({f.name for f in routes}) == len(routes)


def test_error_body_shape_and_extra_fields() -> None:
    response = NotFound("no such thing", extra={"id": "r-1"}).response()
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert json.loads(response.get_body()) == {
        "error": {"code": "not_found", "message": "no such thing", "details": []}, "id": "r-1"}


@pytest.mark.parametrize(("raised", "status", "code"), [
    (StaleETag("x"), 409, ErrorCode.CONFLICT),
    (RecordExists("x"), 409, ErrorCode.ALREADY_EXISTS),
    (StoreUnavailable("x", retry_after=2.4), 503, ErrorCode.UNAVAILABLE),
])
def test_store_errors_become_json_answers(raised: Exception, status: int, code: ErrorCode) -> None:
    @api_errors
    def handler(req: func.HttpRequest) -> func.HttpResponse:
        raise raised

    response = handler(request())
    assert response.status_code == status
    assert json.loads(response.get_body())["error"]["code"] == code.value
    if status == 503:
        assert response.headers["Retry-After"] == "2"


def test_unexpected_errors_are_not_swallowed() -> None:
    @api_errors
    def handler(req: func.HttpRequest) -> func.HttpResponse:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        handler(request())


def test_read_json_media_types_and_defaults() -> None:
    assert read_json(request(b'{"a": 1}', {"Content-Type": "application/merge-patch+json"})) == {"a": 1}
    assert read_json(request(b'{"a": 1}')) == {"a": 1}  # no Content-Type: read as JSON
    assert read_json(request(b""), default={}) == {}
    with pytest.raises(BadRequest):
        read_json(request(b"\xff\xfe"))
    with pytest.raises(BadRequest):
        read_json(request(b""))


def test_etags() -> None:
    assert etag_headers("abc") == {"ETag": '"abc"'}
    assert etag_headers('"0000-cosmos"') == {"ETag": '"0000-cosmos"'}
    assert etag_headers(None) == {}
    assert if_match_satisfied(request(), "abc")
    assert if_match_satisfied(request(headers={"If-Match": '"abc"'}), "abc")
    assert if_match_satisfied(request(headers={"If-Match": 'abc'}), '"abc"')
    assert if_match_satisfied(request(headers={"If-Match": '"zzz", W/"abc"'}), "abc")
    assert if_match_satisfied(request(headers={"If-Match": "*"}), "abc")
    assert not if_match_satisfied(request(headers={"If-Match": '"zzz"'}), "abc")
