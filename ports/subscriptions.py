"""The subscriptions table: Stripe subscriptions and the tier they grant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from domain.limits import UserLimits
from domain.subscription import Subscription
from domain.user import User


@runtime_checkable
class SubscriptionRepository(Protocol):
    """A user's subscriptions, and lookups by Stripe customer."""

    def list_for_user(self, user_id: str) -> Sequence[Subscription]:
        """Every subscription of the user, read consistently."""
        ...

    def active_for_user(self, user_id: str) -> Sequence[Subscription]:
        """The user's subscriptions whose status is `active`, read consistently, by id.

        The schema's "get active subscription": the user's partition filtered on status; a user
        may hold more than one while an upgrade and the old subscription overlap.
        """
        ...

    def get(self, user_id: str, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        ...

    def by_customer(self, stripe_customer_id: str) -> Sequence[Subscription]:
        """Subscriptions of a Stripe customer (stripe-customer-index)."""
        ...

    def apply(
        self,
        subscription: Subscription,
        previous: Subscription | None,
        user: User | None = None,
        limits: UserLimits | None = None,
    ) -> None:
        """Store the subscription and, when the tier changed, `users.tier` and the limits row.

        One atomic write, guarded so that it only lands when the stored subscription is still
        `previous` (compared by its event watermark). Raises ConcurrentModification otherwise.
        """
        ...
