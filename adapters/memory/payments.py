"""A fake payment gateway: records checkouts and cancellations, decodes a simple JSON event.

It is not Stripe and verifies nothing cryptographically: the only valid signature is the
string "valid" (`SIGNATURE`). The event format (docs/decisions/064-fake-payment-events.md):

    {"id": "evt_1", "type": "customer.subscription.updated", "created": "<ISO time>",
     "subscription": null | {"id": "sub_1", "customer": "cus_1", "user_id": "<id>" | null,
                             "status": "<Stripe status>", "tier": "basic|pro|proplus",
                             "current_period_start": "<ISO>", "current_period_end": "<ISO>",
                             "cancel_at_period_end": false, "canceled_at": "<ISO>" | null}}

`encode_event` writes it, so tests build payloads from a `PaymentEvent`.
"""

from __future__ import annotations

import json
from typing import Any

from domain.errors import DomainError, InvalidSignature, UnknownPrice, ValidationFailed
from domain.subscription import StripeSubscriptionSnapshot
from domain.tiers import PAID_TIERS, Tier
from domain.time import iso, parse_iso
from ports.payments import CheckoutRequest, CheckoutSession, PaymentEvent

SIGNATURE = "valid"
CHECKOUT_BASE_URL = "https://checkout.local/"


class FakePaymentGateway:
    """Checkouts get ids `cs_fake_0001`, ... and URLs `https://checkout.local/{session_id}`."""

    def __init__(self) -> None:
        self.checkouts: list[tuple[CheckoutRequest, CheckoutSession]] = []
        self.cancelled_at_period_end: list[str] = []
        self.cancelled_now: list[str] = []

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Record the request and hand out the next session."""
        session_id = f"cs_fake_{len(self.checkouts) + 1:04d}"
        session = CheckoutSession(session_id=session_id, url=CHECKOUT_BASE_URL + session_id)
        self.checkouts.append((request, session))
        return session

    def cancel_at_period_end(self, subscription_id: str) -> None:
        """Record that the subscription stops renewing."""
        self.cancelled_at_period_end.append(subscription_id)

    def cancel_now(self, subscription_id: str) -> None:
        """Record that the subscription ended now."""
        self.cancelled_now.append(subscription_id)

    def parse_event(self, payload: bytes, signature: str | None) -> PaymentEvent:
        """Accept the signature "valid" only, then decode the fake JSON event format."""
        if signature != SIGNATURE:
            raise InvalidSignature("the fake gateway accepts the signature 'valid' only")
        try:
            body = json.loads(payload)
            if not isinstance(body, dict):
                raise ValidationFailed("the event is not a JSON object")
            return _event(body)
        except DomainError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ValidationFailed(f"the payload is not an event: {error}") from error


def encode_event(event: PaymentEvent) -> bytes:
    """The fake JSON body of `event`, as `parse_event` reads it."""
    snapshot = event.snapshot
    body: dict[str, Any] = {
        "id": event.event_id,
        "type": event.event_type,
        "created": iso(snapshot.event_created) if snapshot is not None else None,
        "subscription": None,
    }
    if snapshot is not None:
        body["subscription"] = {
            "id": snapshot.subscription_id,
            "customer": snapshot.customer_id,
            "user_id": snapshot.user_id,
            "status": snapshot.stripe_status,
            "tier": snapshot.price_tier.value,
            "current_period_start": iso(snapshot.current_period_start),
            "current_period_end": iso(snapshot.current_period_end),
            "cancel_at_period_end": snapshot.cancel_at_period_end,
            "canceled_at": None if snapshot.canceled_at is None else iso(snapshot.canceled_at),
        }
    return json.dumps(body).encode()


def _event(body: dict[str, Any]) -> PaymentEvent:
    event_id = _text(body["id"])
    sub = body.get("subscription")
    snapshot = None
    if sub is not None:
        canceled_at = sub.get("canceled_at")
        cancel_at_period_end = sub["cancel_at_period_end"]
        if not isinstance(cancel_at_period_end, bool):
            raise ValidationFailed("cancel_at_period_end is not a boolean")
        user_id = sub.get("user_id")
        snapshot = StripeSubscriptionSnapshot(
            subscription_id=_text(sub["id"]),
            customer_id=_text(sub["customer"]),
            user_id=None if user_id is None else _text(user_id),
            stripe_status=_text(sub["status"]),
            price_tier=_tier(sub["tier"]),
            current_period_start=parse_iso(_text(sub["current_period_start"])),
            current_period_end=parse_iso(_text(sub["current_period_end"])),
            cancel_at_period_end=cancel_at_period_end,
            canceled_at=None if canceled_at is None else parse_iso(_text(canceled_at)),
            event_id=event_id,
            event_created=parse_iso(_text(body["created"])),
        )
    return PaymentEvent(event_id=event_id, event_type=_text(body["type"]), snapshot=snapshot)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"expected a string, got {type(value).__name__}")
    return value


def _tier(value: object) -> Tier:
    paid = {tier.value: tier for tier in PAID_TIERS}
    if not isinstance(value, str) or value not in paid:
        raise UnknownPrice(f"no paid tier is called {value!r}")
    return paid[value]
