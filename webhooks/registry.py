"""The registry: one handler signature per scheme, looked up by the configuration's ``scheme``.

Every scheme contributes three functions with the same shapes::

    check(config, request, now)  -> Authentic | Challenge | Rejected
    event_id(config, request)    -> str | None        (provider's event/delivery id)
    parse(config, request, ctx)  -> ParsedDelivery | Malformed

and the registry adds what is common: the body-hash fallback for event ids and the
verify-then-parse order (nothing is parsed before it is authenticated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .config import AnySchemeConfig
from .crypto import sha256_hex
from .events import ParseContext, ParsedDelivery
from .parsers import (
    generic,
    github,
    gong,
    google,
    hubspot,
    msgraph,
    notion,
    salesforce,
    shopify,
    slack,
    stripe,
    zoom,
)
from .request import RawRequest
from .results import Accepted, Authentic, Challenge, Malformed, Rejected, Reply, Verification
from .schemes import generic_hmac, google_drive, google_pubsub
from .schemes import github as github_scheme
from .schemes import gong as gong_scheme
from .schemes import hubspot as hubspot_scheme
from .schemes import msgraph as msgraph_scheme
from .schemes import notion as notion_scheme
from .schemes import salesforce as salesforce_scheme
from .schemes import shopify as shopify_scheme
from .schemes import slack as slack_scheme
from .schemes import stripe as stripe_scheme
from .schemes import zoom as zoom_scheme


@dataclass(frozen=True, slots=True)
class SchemeSpec:
    """The three functions of one scheme, under its ``scheme`` name."""

    name: str
    check: Callable[[Any, RawRequest, datetime], Authentic | Challenge | Rejected]
    event_id: Callable[[Any, RawRequest], str | None]
    parse: Callable[[Any, RawRequest, ParseContext], ParsedDelivery | Malformed]


@dataclass(frozen=True, slots=True)
class Received:
    """An authentic, parsed delivery: persist ``delivery`` under ``event_id``, then answer (``ack``)."""

    event_id: str
    delivery: ParsedDelivery
    ack: Reply | None = None


class UnknownScheme(LookupError):
    """A configuration names a scheme no module registered (a programming or data error, not bad input)."""


class Registry:
    """Scheme name -> ``SchemeSpec``."""

    def __init__(self, specs: Iterable[SchemeSpec] = ()) -> None:
        self._specs: dict[str, SchemeSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: SchemeSpec) -> None:
        """Add a scheme; names are unique."""
        if spec.name in self._specs:
            raise ValueError(f"scheme {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def names(self) -> frozenset[str]:
        return frozenset(self._specs)

    def spec(self, config: AnySchemeConfig) -> SchemeSpec:
        try:
            return self._specs[config.scheme]
        except KeyError:
            raise UnknownScheme(config.scheme) from None

    def verify(self, config: AnySchemeConfig, request: RawRequest, now: datetime) -> Verification:
        """Authenticate ``request`` over its raw bytes; ``now`` is the receipt time (injected for tests)."""
        spec = self.spec(config)
        outcome = spec.check(config, request, now)
        if isinstance(outcome, Authentic):
            return Accepted(self._event_id(spec, config, request), outcome.ack)
        return outcome

    def event_id(self, config: AnySchemeConfig, request: RawRequest) -> str:
        """The deduplication key: the provider's id, else ``sha256:<hex of the raw body>``."""
        return self._event_id(self.spec(config), config, request)

    def parse(
        self, config: AnySchemeConfig, request: RawRequest, ctx: ParseContext
    ) -> ParsedDelivery | Malformed:
        """Parse an already verified request into events and signals."""
        try:
            return self.spec(config).parse(config, request, ctx)
        except ValidationError as exc:
            # A field the provider sent does not fit WebhookEvent (empty id, oversized type...).
            fields = sorted({".".join(str(p) for p in error["loc"]) for error in exc.errors()})
            return Malformed(f"event fields out of bounds: {', '.join(fields)}")

    def receive(
        self, config: AnySchemeConfig, request: RawRequest, ctx: ParseContext
    ) -> Received | Challenge | Rejected:
        """Verify (at ``ctx.received_at``), then parse. The route persists a ``Received`` and answers
        ``http_reply(result)`` for every outcome."""
        verdict = self.verify(config, request, ctx.received_at)
        if not isinstance(verdict, Accepted):
            return verdict
        parsed = self.parse(config, request, ctx)
        if isinstance(parsed, Malformed):
            return parsed
        return Received(verdict.event_id, _with_event_ids(parsed, verdict.event_id), verdict.ack)

    @staticmethod
    def _event_id(spec: SchemeSpec, config: AnySchemeConfig, request: RawRequest) -> str:
        provided = spec.event_id(config, request)
        return provided.strip() if provided and provided.strip() else "sha256:" + sha256_hex(request.body)


def _with_event_ids(parsed: ParsedDelivery, delivery_id: str) -> ParsedDelivery:
    """Give every event a dedup key: its own provider id, else the delivery's (``#n`` when several)."""
    many = len(parsed.events) > 1
    events = tuple(
        event if event.event_id else event.model_copy(update={"event_id": f"{delivery_id}#{n}"} if many else
                                                       {"event_id": delivery_id})
        for n, event in enumerate(parsed.events)
    )
    return ParsedDelivery(events, parsed.signals)


def _spec(name: str, scheme: Any, parse: Callable[..., ParsedDelivery | Malformed]) -> SchemeSpec:
    return SchemeSpec(name, scheme.check, scheme.event_id, parse)


DEFAULT_REGISTRY = Registry([
    _spec("github", github_scheme, github.parse),
    _spec("slack", slack_scheme, slack.parse),
    _spec("hubspot", hubspot_scheme, hubspot.parse),
    _spec("shopify", shopify_scheme, shopify.parse),
    _spec("stripe", stripe_scheme, stripe.parse),
    _spec("zoom", zoom_scheme, zoom.parse),
    _spec("notion", notion_scheme, notion.parse),
    _spec("microsoft_graph", msgraph_scheme, msgraph.parse),
    _spec("google_drive", google_drive, google.parse_drive),
    _spec("google_pubsub", google_pubsub, google.parse_pubsub),
    _spec("salesforce", salesforce_scheme, salesforce.parse),
    _spec("gong", gong_scheme, gong.parse),
    _spec("generic_hmac", generic_hmac, generic.parse),
])
"""Every scheme this package ships."""

verify = DEFAULT_REGISTRY.verify
parse = DEFAULT_REGISTRY.parse
event_id = DEFAULT_REGISTRY.event_id
receive = DEFAULT_REGISTRY.receive
