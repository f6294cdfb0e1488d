"""Compact JSON in and out of aiohttp, shared by every simulated provider."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response without the default encoder's spaces (pages of 2,000 records add up)."""
    return web.Response(body=_ENCODER.encode(payload).encode(), status=status, headers=headers,
                        content_type="application/json", charset="utf-8")


async def read_json(request: web.Request) -> Any:
    """The request body as JSON, or None when it is empty or not JSON (callers reject None as needed)."""
    raw = await request.read()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
