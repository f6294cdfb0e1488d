"""Helpers shared by the parsers."""

from __future__ import annotations

from typing import Any

from ..results import Malformed


def dig(node: Any, path: str) -> Any:
    """The value at a dot path (``data.object.id``), or None."""
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def text(value: Any) -> str | None:
    """Strings and integers as text; anything else None (ids are never floats, bools or objects)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def object_or_malformed(document: Any, what: str) -> dict[str, Any] | Malformed:
    return document if isinstance(document, dict) else Malformed(f"{what} body is not a JSON object")
