"""An Integration's ``connection`` read into a provider's typed model, the way every adapter reads it.

A connection that does not validate is the operator's mistake, so it is a ``ConfigError`` (422 at the API),
never a crash; a base URL must be http(s) and is kept without its trailing slash, so paths join with one ``/``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import ConfigError

C = TypeVar("C", bound=BaseModel)


def parse_connection(model: type[C], connection: dict[str, Any], *, provider: str, label: str) -> C:
    """``model`` validated from ``connection``; else ``ConfigError("invalid {label} connection: <first problem>")``."""
    try:
        return model.model_validate(connection)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise ConfigError(f"invalid {label} connection: {reason}", provider=provider) from exc


def http_base_url(value: str, name: str) -> str:
    """``value`` without a trailing slash; unless it is http(s), a ``ValueError`` naming ``name`` (for validators)."""
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{name} must be an http(s) URL")
    return value.rstrip("/")
