"""Lenient JSON reading for event ids and handshakes (never used to compute a signature)."""

from __future__ import annotations

import json
from typing import Any


def load_json(body: bytes | str) -> Any | None:
    """The decoded JSON document, or None when the body is not JSON.

    ``RecursionError`` is caught too: a body of a million ``[`` is valid input to an attacker.
    """
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is anything else."""
    document = load_json(body)
    return document if isinstance(document, dict) else None


def object_field(document: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON object under ``key``, or an empty dict when it is absent or not an object."""
    value = document.get(key)
    return value if isinstance(value, dict) else {}


def string_field(document: dict[str, Any] | None, *path: str) -> str | None:
    """A nested string (or integer) field as text, or None."""
    node: Any = document
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    if isinstance(node, bool) or not isinstance(node, str | int):
        return None
    return str(node)
