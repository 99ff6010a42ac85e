"""The subscriptions table and its Stripe-customer view, in memory."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.database import (
    InMemoryDatabase,
    as_stored,
    next_revision,
    require_revision,
)
from adapters.memory.users import tier_of
from domain.errors import ConcurrentModification, NotFound
from domain.limits import UserLimits
from domain.subscription import Subscription, SubscriptionStatus
from domain.user import User


class InMemorySubscriptionRepository:
    """A user's subscriptions, and lookups by Stripe customer."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def list_for_user(self, user_id: str) -> Sequence[Subscription]:
        """Every subscription of the user, by subscription id."""
        with self._db.lock:
            return [
                s for (owner, _), s in sorted(self._db.subscriptions.items()) if owner == user_id
            ]

    def active_for_user(self, user_id: str) -> Sequence[Subscription]:
        """The user's subscriptions whose status is `active`, by subscription id."""
        return [s for s in self.list_for_user(user_id) if s.status is SubscriptionStatus.ACTIVE]

    def get(self, user_id: str, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        with self._db.lock:
            return self._db.subscriptions.get((user_id, subscription_id))

    def by_customer(self, stripe_customer_id: str) -> Sequence[Subscription]:
        """Subscriptions of a Stripe customer, by user then subscription id."""
        with self._db.lock:
            return [
                s
                for _, s in sorted(self._db.subscriptions.items())
                if s.stripe_customer_id == stripe_customer_id
            ]

    def apply(
        self,
        subscription: Subscription,
        previous: Subscription | None,
        user: User | None = None,
        limits: UserLimits | None = None,
    ) -> None:
        """Store the subscription, and the user's tier and limits when given, in one write.

        Guarded by the stored subscription's event watermark (`last_event_id`) being
        `previous`'s, or by its absence when `previous` is None.
        """
        db = self._db
        key = (subscription.user_id, subscription.subscription_id)
        if previous is not None and (previous.user_id, previous.subscription_id) != key:
            raise ValueError("previous is another subscription")
        watermark = None if previous is None else previous.last_event_id

        def still_previous() -> bool:
            stored = db.subscriptions.get(key)
            if watermark is None:
                return stored is None
            return stored is not None and stored.last_event_id == watermark

        tx = db.transaction()
        tx.require(
            still_previous,
            lambda: ConcurrentModification("the subscription moved since it was read"),
        )
        tx.put(db.subscriptions, key, as_stored(subscription))
        if user is not None:
            owner = user.user_id
            tx.require(lambda: owner in db.users, lambda: NotFound("no such user"))
            tx.update(db.users, owner, tier_of(user))
        if limits is not None:
            require_revision(tx, db.limits, limits.user_id, limits)
            tx.put(db.limits, limits.user_id, as_stored(next_revision(limits)))
        tx.commit()
