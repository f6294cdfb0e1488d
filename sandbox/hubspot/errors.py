"""HubSpot's API errors as types; each renders as `{"status":"error","message","correlationId","category"}`.

    HubSpotError
      ├── ValidationError         400 VALIDATION_ERROR
      ├── InvalidAuthentication   401 INVALID_AUTHENTICATION (no or unknown token)
      ├── ExpiredAuthentication   401 EXPIRED_AUTHENTICATION
      ├── ObjectNotFound          404 OBJECT_NOT_FOUND
      ├── Conflict                409 CONFLICT (a contact with that email exists)
      ├── RateLimited             429 RATE_LIMITS (errorType RATE_LIMIT, policyName)
      └── ServiceUnavailable      503 (injected fault)
"""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.errors import ProviderError


class HubSpotError(ProviderError):
    category = "VALIDATION_ERROR"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"status": "error", "message": self.message, "correlationId": str(uuid.uuid4()),
                "category": self.category, **self.extra}


class ValidationError(HubSpotError):
    category = "VALIDATION_ERROR"


class InvalidAuthentication(HubSpotError):
    status = 401
    category = "INVALID_AUTHENTICATION"


class ExpiredAuthentication(HubSpotError):
    status = 401
    category = "EXPIRED_AUTHENTICATION"


class ObjectNotFound(HubSpotError):
    status = 404
    category = "OBJECT_NOT_FOUND"


class Conflict(HubSpotError):
    status = 409
    category = "CONFLICT"


class RateLimited(HubSpotError):
    status = 429
    category = "RATE_LIMITS"

    def __init__(self, policy: str, retry_after: float) -> None:
        super().__init__(f"You have reached your {policy.lower()} limit.", errorType="RATE_LIMIT",
                         policyName=policy)
        self.retry_after = retry_after


class ServiceUnavailable(HubSpotError):
    status = 503
    category = "SERVICE_UNAVAILABLE"
