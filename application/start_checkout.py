"""Start a Stripe Checkout for a paid tier (SPEC.md 8)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.errors import NotFound, ValidationFailed
from domain.tiers import Tier
from ports.payments import CheckoutRequest, CheckoutSession, PaymentGateway
from ports.subscriptions import SubscriptionRepository
from ports.users import UserRepository

MAX_URL_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class StartCheckoutRequest:
    user_id: str
    tier: Tier | str
    success_url: str
    cancel_url: str


def paid_tier(value: Tier | str) -> Tier:
    """basic, pro or proplus; anything else is VALIDATION_ERROR."""
    try:
        tier = Tier(value)
    except ValueError:
        raise ValidationFailed("tier must be basic, pro or proplus") from None
    if not tier.is_paid:
        raise ValidationFailed("tier must be basic, pro or proplus")
    return tier


def absolute_url(name: str, url: str) -> str:
    """An http(s) URL with a host, at most 2048 characters, or VALIDATION_ERROR."""
    parts = urlsplit(url) if len(url) <= MAX_URL_LENGTH else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValidationFailed(f"{name} must be an absolute http(s) URL")
    return url


class StartCheckout:
    """A hosted checkout of a subscription to the tier's price.

    Rules enforced:
    - the tier is basic, pro or proplus, and both URLs are absolute http(s) (VALIDATION_ERROR);
    - the user exists (NOT_FOUND);
    - the user's Stripe customer is reused when they have one (decision 078), so that all of
      their subscriptions stay under one customer.
    """

    def __init__(
        self,
        users: UserRepository,
        subscriptions: SubscriptionRepository,
        payments: PaymentGateway,
    ) -> None:
        self._users = users
        self._subscriptions = subscriptions
        self._payments = payments

    def execute(self, request: StartCheckoutRequest) -> CheckoutSession:
        tier = paid_tier(request.tier)
        success_url = absolute_url("success_url", request.success_url)
        cancel_url = absolute_url("cancel_url", request.cancel_url)
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("user not found")
        subs = sorted(
            self._subscriptions.list_for_user(user.user_id), key=lambda sub: sub.updated_at
        )
        return self._payments.create_checkout(
            CheckoutRequest(
                user_id=user.user_id,
                email=user.email,
                tier=tier,
                success_url=success_url,
                cancel_url=cancel_url,
                customer_id=subs[-1].stripe_customer_id if subs else None,
            )
        )
