"""One webhook delivery, from raw request to acknowledgement: check, verify, persist, audit.

::

    unknown registration or provider  -> 404      over the size limit (header or body) -> 413
    body of a type the scheme never sends -> 415  over the registration's rate        -> 429
    verification (webhooks.receive): 401 bad or stale signature, 400 malformed, a handshake as is
    accepted: every event into the inbox (insert-if-absent by event id), one audit record, then 2xx

Nothing rejected is stored as an event, everything is audited (rejections without secrets or
signatures: ``Rejected.detail`` never holds one; floods are audited as counts by ``AuditPacer``).
The caller answers ``Outcome.reply`` and, when ``Outcome.drain`` is set, makes sure the
integration's processing orchestration runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.webhook_endpoints import MISSING, AuditPacer, Endpoint, EndpointCache, RateLimiter
from core.models import AuditOutcome, AuditRecord
from core.settings import Settings
from stores.audit import new_audit_id
from stores.factory import Stores
from stores.group_commit import group_commit
from stores.webhook_registrations import webhook_secret_name
from stores.webhooks import InboxItem
from webhooks import Challenge, HttpReply, ParseContext, RawRequest, Received, Rejected, Signal, http_reply, receive

UNROUTED_TENANT = "system"  # audit partition of requests that name no known registration
PENDING_NOTION_TOKEN = "pendingVerificationToken"
_JSON = ("application/json",)
_XML = ("text/xml", "application/xml", "application/soap+xml")
_FORM = ("application/x-www-form-urlencoded",)
# Media types per scheme beyond JSON: Salesforce outbound messages are SOAP, Slack commands are forms.
_EXTRA_MEDIA: dict[str, tuple[str, ...]] = {"salesforce": _XML, "slack": _FORM}
_MAX_LISTED_IDS = 20
_MAX_EVENT_ID = 1000  # InboxItem's bound, checked here because the items skip re-validation


@dataclass(frozen=True, slots=True)
class Outcome:
    """The reply, and what to do once it is decided: start draining, act on provider signals."""

    reply: HttpReply
    drain: tuple[str, str] | None = None
    signals: tuple[Signal, ...] = field(default_factory=tuple)


def error_reply(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> HttpReply:
    """api.md's error body for the statuses the webhook package does not map itself."""
    body = json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
    reply = HttpReply(status, body, "application/json")
    reply.headers.update(headers or {})
    return reply


def media_allowed(scheme: str, content_type: str | None, body: bytes) -> bool:
    """A missing type or an empty body is the scheme's business; otherwise JSON or the scheme's extras."""
    if not content_type or not body:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _JSON or (media.startswith("application/") and media.endswith("+json")):
        return True
    return media in _EXTRA_MEDIA.get(scheme, ())


class Intake:
    """The receive pipeline over the process's stores; one instance per process."""

    def __init__(self, stores: Stores, settings: Settings, *, endpoints: EndpointCache | None = None,
                 limiter: RateLimiter | None = None, pacer: AuditPacer | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.stores, self.settings = stores, settings
        self.endpoints = endpoints or EndpointCache(stores)
        self.limiter = limiter or RateLimiter(processes=settings.functions_worker_process_count)
        self.pacer = pacer or AuditPacer()
        self.commits = group_commit(stores)
        self._now = now

    async def handle(self, provider: str, registration_id: str, request: RawRequest) -> Outcome:
        """Decide the reply; an accepted delivery is in the inbox and the audit trail on return.

        Checks, verification and parsing run on the caller's event loop (CPU only); a registration
        not in the cache is loaded on a worker thread and writes go through the group commit.
        """
        received_at = self._now()
        endpoint = self.endpoints.cached(registration_id)
        if endpoint is MISSING:
            endpoint = await asyncio.to_thread(self.endpoints.get, registration_id)
        if endpoint is None:
            return await self._refuse_unknown(provider, registration_id, received_at)
        assert isinstance(endpoint, Endpoint)
        if endpoint.registration.provider != provider:
            return await self._refuse(endpoint, received_at, 404, "not_found", "no such webhook registration")
        early = await self._precheck(endpoint, request, received_at)
        if early is not None:
            return early
        reg = endpoint.registration
        result = receive(endpoint.config, request, ParseContext(reg.integration_id, reg.tenant_id, received_at))
        if isinstance(result, Rejected):
            reply = http_reply(result)
            await self._audit(endpoint, "webhook.rejected", AuditOutcome.REJECTED, received_at,
                              status=reply.status, code=result.code, detail=result.detail)
            return Outcome(reply)
        if isinstance(result, Challenge):
            return await self._answer_challenge(endpoint, result, received_at)
        return await self._persist(endpoint, result, received_at)

    async def _precheck(self, endpoint: Endpoint, request: RawRequest, at: datetime) -> Outcome | None:
        limit = self.settings.webhook_max_body_bytes
        declared = (request.header("content-length") or "").strip()
        if (declared.isdigit() and int(declared) > limit) or len(request.body) > limit:
            return await self._refuse(endpoint, at, 413, "payload_too_large", f"the body exceeds {limit} bytes")
        if not media_allowed(endpoint.config.scheme, request.header("content-type"), request.body):
            return await self._refuse(endpoint, at, 415, "unsupported_media_type",
                                "the body's content type is not one this provider sends")
        reg = endpoint.registration
        if not self.limiter.allow(reg.registration_id, reg.rate_limit):
            count = self.pacer.due(f"429:{reg.registration_id}")
            reply = error_reply(429, "rate_limited", "too many deliveries for this registration",
                                {"Retry-After": "1"})
            if count:
                await self._audit(endpoint, "webhook.rejected", AuditOutcome.REJECTED, at, status=429,
                            code="rate_limited", count=count)
            return Outcome(reply)
        return None

    async def _refuse(self, endpoint: Endpoint, at: datetime, status: int, code: str, message: str) -> Outcome:
        await self._audit(endpoint, "webhook.rejected", AuditOutcome.REJECTED, at, status=status, code=code)
        return Outcome(error_reply(status, code, message))

    async def _refuse_unknown(self, provider: str, registration_id: str, at: datetime) -> Outcome:
        count = self.pacer.due("404")
        if count:
            record = AuditRecord(
                id=new_audit_id(at), tenant_id=UNROUTED_TENANT, action="webhook.rejected",
                outcome=AuditOutcome.REJECTED, actor="webhook", at=at,
                details={"status": 404, "code": "not_found", "provider": provider[:64],
                         "registrationId": registration_id[:128], "count": count},
            )
            await self.commits.run(lambda: self.stores.audit.append(record))
        return Outcome(error_reply(404, "not_found", "no such webhook registration"))

    async def _answer_challenge(self, endpoint: Endpoint, challenge: Challenge, at: datetime) -> Outcome:
        reg = endpoint.registration
        if challenge.captured_token is not None:
            # Notion's activation token: the operator copies it into Notion; kept as a secret, never logged.
            name = webhook_secret_name(reg.tenant_id, reg.registration_id, PENDING_NOTION_TOKEN)
            await asyncio.to_thread(self.stores.secrets.set, name, challenge.captured_token)
        await self._audit(endpoint, "webhook.challenge", AuditOutcome.SUCCESS, at, status=challenge.status)
        return Outcome(http_reply(challenge))

    async def _persist(self, endpoint: Endpoint, received: Received, at: datetime) -> Outcome:
        reg = endpoint.registration
        # The events were validated by the parser: construct, do not validate them a second time.
        items = [InboxItem.model_construct(tenant_id=reg.tenant_id, registration_id=reg.registration_id,
                                           event_id=event.event_id or received.event_id, event=event,
                                           received_at=at, processed_at=None)
                 for event in received.delivery.events]
        if any(len(item.event_id) > _MAX_EVENT_ID for item in items):
            return await self._refuse(endpoint, at, 400, "malformed", "an event id is too long")
        signals = [s.kind.value for s in received.delivery.signals]

        def write() -> list[str]:
            fresh = [item.event_id for item in items if self.stores.webhooks.insert_if_absent(item)]
            self.stores.audit.append(self._record(
                endpoint, "webhook.received", AuditOutcome.SUCCESS, at, deliveryId=received.event_id,
                events=len(items), new=len(fresh), duplicates=len(items) - len(fresh),
                eventIds=fresh[:_MAX_LISTED_IDS], signals=signals))
            return fresh

        fresh = await self.commits.run(write)
        drain = (reg.tenant_id, reg.integration_id) if fresh else None
        return Outcome(http_reply(received), drain, received.delivery.signals)

    async def _audit(self, endpoint: Endpoint, action: str, outcome: AuditOutcome, at: datetime,
                     **details: Any) -> None:
        record = self._record(endpoint, action, outcome, at, **details)
        await self.commits.run(lambda: self.stores.audit.append(record))

    @staticmethod
    def _record(endpoint: Endpoint, action: str, outcome: AuditOutcome, at: datetime,
                **details: Any) -> AuditRecord:
        reg = endpoint.registration
        return AuditRecord(
            id=new_audit_id(at), tenant_id=reg.tenant_id, integration_id=reg.integration_id, action=action,
            outcome=outcome, actor=f"webhook:{reg.provider}", at=at,
            details={"registrationId": reg.registration_id, "provider": reg.provider, **details},
        )
