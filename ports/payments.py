"""The payment provider (Stripe), as the core sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from domain.subscription import StripeSubscriptionSnapshot
from domain.tiers import Tier


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    user_id: str
    email: str
    tier: Tier
    success_url: str
    cancel_url: str
    customer_id: str | None


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    session_id: str
    url: str


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """A verified webhook event. `snapshot` is set for events that describe a subscription."""

    event_id: str
    event_type: str
    snapshot: StripeSubscriptionSnapshot | None


@runtime_checkable
class PaymentGateway(Protocol):
    """Checkout, cancellation and verified webhook events."""

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """A hosted checkout for a subscription to the tier's price."""
        ...

    def cancel_at_period_end(self, subscription_id: str) -> None:
        """Stop the subscription from renewing."""
        ...

    def cancel_now(self, subscription_id: str) -> None:
        """End the subscription immediately (used by erasure)."""
        ...

    def parse_event(self, payload: bytes, signature: str | None) -> PaymentEvent:
        """Verify the signature and decode the event.

        Raises InvalidSignature for a bad, missing or stale signature, ValidationFailed for a
        payload that is not an event, UnknownPrice for a price that maps to no tier.
        """
        ...
