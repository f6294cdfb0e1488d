"""Model <-> stored document: the models' camelCase JSON, the backend's ETag, no store extras."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

from stores.documents import Stored

M = TypeVar("M", bound=BaseModel)


@cache
def _aliases(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(field.alias or name for name, field in model.model_fields.items())


def to_body(model: BaseModel, **index: Any) -> dict[str, Any]:
    """The document body: the model's wire JSON minus ``etag`` (the backend owns it), plus the
    sortable ``ix`` helpers the store queries on."""
    exclude = {"etag"} if "etag" in type(model).model_fields else None
    body = model.model_dump(mode="json", by_alias=True, exclude=exclude)
    if index:
        body["ix"] = index
    return body


def from_stored(model: type[M], stored: Stored) -> M:
    """Validate a stored document as ``model``; store extras (``id``, ``ix``...) are dropped so
    that models which forbid unknown fields still load."""
    allowed = _aliases(model)
    body = {k: v for k, v in stored.body.items() if k in allowed}
    if "etag" in allowed:
        body["etag"] = stored.etag
    return model.model_validate(body)
