"""The one place Cosmos errors become store errors (no server needed)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ServiceRequestError
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from stores.cosmos.client import translated
from stores.errors import RecordExists, RecordNotFound, StaleETag, StoreError, StoreUnavailable


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, RecordNotFound), (409, RecordExists), (412, StaleETag), (429, StoreUnavailable),
     (503, StoreUnavailable), (400, StoreError)],
)
def test_http_status_maps_to_store_error(status: int, expected: type[StoreError]) -> None:
    with pytest.raises(expected) as caught, translated():
        raise CosmosHttpResponseError(status_code=status, message="boom")
    assert type(caught.value) is expected


def test_batch_error_uses_the_failing_operation_status() -> None:
    error = CosmosBatchOperationError(error_index=1, headers={}, status_code=400, message="batch failed",
                                      operation_responses=[{"statusCode": 424}, {"statusCode": 412}])
    with pytest.raises(StaleETag), translated():
        raise error


def test_unreachable_is_retryable() -> None:
    with pytest.raises(StoreUnavailable) as caught, translated():
        raise ServiceRequestError("connection refused")
    assert caught.value.retryable
