"""Receiving a Stripe webhook: verify, decode, apply. Framework-free, shared by the HTTP route
and the webhook Lambda, so both answer the same way.

A bad, missing or stale signature is 400 and changes nothing; an event naming a price of no tier
is logged (type only, no personal data) and acknowledged with 200, since Stripe would otherwise
retry it for days without it ever becoming valid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from adapters.http.problems import Problem, problem_of
from domain.errors import DomainError, UnknownPrice
from ports.payments import PaymentEvent

ParseEvent = Callable[[bytes, str | None], PaymentEvent]
ApplyEvent = Callable[[PaymentEvent], str]

IGNORED = "ignored"
_log = logging.getLogger("flowlogic.webhook")


@dataclass(frozen=True, slots=True)
class Received:
    """A handled event: 200 with its outcome."""

    outcome: str


def receive_event(
    payload: bytes,
    signature: str | None,
    parse: ParseEvent,
    apply: ApplyEvent,
    now: Callable[[], datetime],
) -> Received | Problem:
    """Verify and apply one delivery; a Problem says why it was refused."""
    try:
        event = parse(payload, signature)
    except UnknownPrice:
        _log.warning("webhook names a price of no tier; acknowledged and ignored")
        return Received(IGNORED)
    except DomainError as error:
        return problem_of(error, now())
    try:
        outcome = apply(event)
    except DomainError as error:
        return problem_of(error, now())
    _log.info("webhook applied", extra={"event_type": event.event_type, "outcome": outcome})
    return Received(outcome)
