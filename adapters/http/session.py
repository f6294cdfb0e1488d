"""``ProviderHttp``: the one path by which an adapter talks HTTP.

It sends through the shared ``httpx.AsyncClient`` (auth flows attached to it), maps transport
failures to typed errors, records the rate-limit snapshot of every response, asks the
adapter's ``classify`` whether the response is an error, and retries with the one policy
(``retry.py``). Bodies are decoded with ``read_json``/``read_object``/``parse_model``, which turn anything
unreadable into ``MalformedResponse`` instead of a crash.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import BaseModel, ValidationError

from adapters.base import LimitSnapshot
from adapters.http.limits import LimitParser
from adapters.http.retry import IDEMPOTENT_METHODS, RetryPolicy, retrying
from core import errors

M = TypeVar("M", bound=BaseModel)
Classifier = Callable[[httpx.Response], errors.SyncError | None]


def read_json(response: httpx.Response, provider: str) -> Any:
    """The JSON body, ``None`` for an empty one; a non-JSON or truncated body is MalformedResponse."""
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)  # several times faster than ``json`` on a 2,000-record page
    except orjson.JSONDecodeError:
        pass  # what orjson refuses but ``json`` reads (integers beyond 64 bits, NaN, a UTF-16 body) is still JSON
    try:
        return response.json()
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise errors.MalformedResponse(
            f"response body is not JSON ({len(response.content)} bytes)",
            provider=provider,
            status=response.status_code,
        ) from exc


def read_object(response: httpx.Response, provider: str, what: str) -> dict[str, Any]:
    """The JSON object body (a page, a resource); any other body is MalformedResponse "{what} is not a JSON object"."""
    body = read_json(response, provider)
    if not isinstance(body, dict):
        raise errors.MalformedResponse(f"{what} is not a JSON object", provider=provider)
    return body


def parse_model(data: Any, model: type[M], provider: str) -> M:
    """Validate a decoded body against the provider's documented shape."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise errors.MalformedResponse(
            f"response does not match {model.__name__}: {exc.error_count()} problem(s)", provider=provider
        ) from exc


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HttpOptions:
    """Injectable behaviour of ``ProviderHttp``: the retry policy, and the sleep/clock/jitter for tests."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], datetime] = utc_now
    jitter: Callable[[], float] = random.random


class ProviderHttp:
    """Send, classify, record limits, retry short waits."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        provider: str,
        classify: Classifier,
        parse_limits: LimitParser,
        options: HttpOptions | None = None,
    ) -> None:
        options = options or HttpOptions()
        self.client = client
        self.provider = provider
        self.last_limits: LimitSnapshot | None = None
        self._classify = classify
        self._parse_limits = parse_limits
        self._policy = options.policy
        self._sleep = options.sleep
        self._clock = options.clock
        self._jitter = options.jitter

    def now(self) -> datetime:
        return self._clock()

    async def request(
        self, method: str, url: str, *, idempotent: bool | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send with retries; returns a successful response or raises a ``SyncError``."""
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        controller = retrying(self._policy, idempotent=idempotent, sleep=self._sleep, jitter=self._jitter)
        async for attempt in controller:
            with attempt:
                return await self._send_once(method, url, **kwargs)
        raise errors.ConfigError("retry loop ended without an outcome", provider=self.provider)

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """``request`` then ``read_json``."""
        return read_json(await self.request(method, url, **kwargs), self.provider)

    async def _send_once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise errors.Timeout(f"{method} timed out", provider=self.provider) from exc
        except httpx.TransportError as exc:
            reason = f"{method} failed: {type(exc).__name__}"
            raise errors.ConnectionReset(reason, provider=self.provider) from exc
        except httpx.RequestError as exc:  # decoding errors, redirect loops: the answer is unusable
            reason = f"{method} failed: {type(exc).__name__}"
            raise errors.MalformedResponse(reason, provider=self.provider) from exc
        snapshot = self._parse_limits(response.headers, self._clock())
        if snapshot is not None:
            self.last_limits = snapshot
        error = self._classify(response)
        if error is not None:
            raise error
        return response
