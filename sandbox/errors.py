"""Base of every simulated provider's API errors (``SalesforceError``, ``HubSpotError``, ``DataverseError``).

Each provider's front door renders one as its JSON ``body()`` with its ``status``, plus ``Retry-After`` when the
error carries ``retry_after`` (a limit error that announces when to come back).
"""

from __future__ import annotations

from typing import Any


class ProviderError(Exception):
    """An error a simulated provider answers with; subclasses give the status and the body's shape."""

    status = 400
    retry_after: float | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> Any:
        """The provider's JSON error body."""
        raise NotImplementedError(f"{type(self).__name__} has no body shape")
