"""A read-then-write route under an optional ``If-Match``: the one rule the integrations PUT and the
shards PATCH share.

The write is a compare-and-swap on the ETag just read. When it loses (``StaleETag``) and the client
sent ``If-Match``, the client's precondition no longer holds: 412. Without ``If-Match`` the client asked
for "whatever is current", so the route reads again and applies its change to the newer version, a few
times; a record that never stops changing ends as ``StaleETag`` (409 through ``api_errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import azure.functions as func

from api.http import PreconditionFailed, if_match_satisfied
from stores.errors import RecordExists, StaleETag

ATTEMPTS = 5  # a sync finishing meanwhile changes the ETag; a handful of re-reads is plenty


class Versioned(Protocol):
    """A stored record with the ETag it was read at."""

    @property
    def etag(self) -> str | None: ...


V = TypeVar("V", bound=Versioned)
R = TypeVar("R")


def write_current(req: func.HttpRequest, what: str, read: Callable[[], V | None], write: Callable[[V], R], *,
                  create: Callable[[], R] | None = None, attempts: int = ATTEMPTS) -> R:
    """``write(current)`` for the record ``read()`` returns, honouring the request's ``If-Match``.

    ``read`` gives the current record, ``None`` when there is none (or raises, e.g. ``NotFound``).
    With ``create`` and no ``If-Match``, an absent record is created instead; a concurrent creator
    winning (``RecordExists``) turns this request into a replace. Otherwise an absent record, an
    ``If-Match`` naming another ETag, or a write that loses under ``If-Match`` is
    ``PreconditionFailed("the {what} changed since it was read (If-Match)")``.
    """
    conditional = req.headers.get("if-match") is not None
    stale = f"the {what} changed since it was read (If-Match)"
    for _ in range(attempts):
        current = read()
        if current is None and create is not None and not conditional:
            try:
                return create()
            except RecordExists:
                continue  # a concurrent request created it first: this one replaces it
        if current is None or not if_match_satisfied(req, current.etag):
            raise PreconditionFailed(stale)
        try:
            return write(current)
        except StaleETag:
            if conditional:
                raise PreconditionFailed(stale) from None
            # no precondition asked for: apply the change again onto the newer version
    raise StaleETag(f"the {what} kept changing")
