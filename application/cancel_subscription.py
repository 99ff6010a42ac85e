"""Cancel the user's subscription at the end of its period (SPEC.md 8)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from application.retry import retry_on_conflict
from domain.errors import ConcurrentModification, NotFound
from domain.subscription import Subscription, grants_tier
from ports.clock import Clock
from ports.payments import PaymentGateway
from ports.subscriptions import SubscriptionRepository
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class CancelSubscriptionRequest:
    user_id: str


class CancelSubscription:
    """Stop the user's granting subscriptions from renewing; access lasts to the period's end.

    Rules enforced:
    - the user exists and has a subscription granting a tier now (NOT_FOUND otherwise);
    - each one not yet cancelling is cancelled at period end with Stripe, then stored with
      `cancel_at_period_end = true` without moving its event watermark, so the webhook that
      confirms it still applies (decision 078); cancelling again changes nothing.
    Returns the granting subscriptions as stored afterwards. One query finds them, and only
    what changes is written; the profile is read only when the user has no subscription at all
    (decision 116).
    """

    def __init__(
        self,
        users: UserRepository,
        subscriptions: SubscriptionRepository,
        payments: PaymentGateway,
        clock: Clock,
    ) -> None:
        self._users = users
        self._subscriptions = subscriptions
        self._payments = payments
        self._clock = clock

    def execute(self, request: CancelSubscriptionRequest) -> Sequence[Subscription]:
        stored = self._subscriptions.list_for_user(request.user_id)
        if not stored and self._users.get(request.user_id) is None:
            raise NotFound("user not found")
        now = self._clock.now()
        granting = [sub for sub in stored if grants_tier(sub, now)]
        if not granting:
            raise NotFound("no subscription to cancel")
        cancelled: list[Subscription] = []
        for sub in sorted(granting, key=lambda s: s.subscription_id):
            if not sub.cancel_at_period_end:
                self._payments.cancel_at_period_end(sub.subscription_id)
            cancelled.append(self._marked(sub))
        return tuple(cancelled)

    def _marked(self, listed: Subscription) -> Subscription:
        """Mark the copy just listed; when a webhook moved it meanwhile, the stored copy."""
        try:
            return self._mark(listed, listed)
        except ConcurrentModification:
            key = (listed.user_id, listed.subscription_id)
            return retry_on_conflict(lambda: self._mark(self._subscriptions.get(*key), listed))

    def _mark(self, stored: Subscription | None, listed: Subscription) -> Subscription:
        if stored is None or stored.cancel_at_period_end:
            return stored or listed
        marked = dataclasses.replace(
            stored, cancel_at_period_end=True, updated_at=self._clock.now()
        )
        self._subscriptions.apply(marked, stored)
        return marked
