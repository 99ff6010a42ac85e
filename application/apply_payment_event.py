"""Apply a verified Stripe webhook event to the subscription and the user's tier (SPEC.md 8)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from application.retry import retry_on_conflict
from domain.errors import NotFound
from domain.limits import limits_for_tier, new_limits
from domain.subscription import StripeSubscriptionSnapshot, apply_snapshot, entitled_tier, is_newer
from domain.user import change_tier
from ports.clock import Clock
from ports.payments import PaymentEvent
from ports.snapshots import SnapshotReader, SnapshotRequest
from ports.subscriptions import SubscriptionRepository


class PaymentEventOutcome(StrEnum):
    APPLIED = "applied"
    STALE = "stale"  # the same event again, or one older than the state stored
    IGNORED = "ignored"  # no subscription in it, or an `incomplete` one never stored
    UNKNOWN_CUSTOMER = "unknown_customer"  # no user of ours owns it


@dataclass(frozen=True, slots=True)
class ApplyPaymentEventRequest:
    event: PaymentEvent


class ApplyPaymentEvent:
    """Store the subscription state an event describes, and the tier it entitles.

    Rules enforced:
    - events without a subscription snapshot are ignored;
    - the owner is the event's `client_reference_id` user, else the user already holding a
      subscription of that Stripe customer; a user we do not have is never created (decision 079);
    - only an event newer than the stored one changes anything: duplicates and late events are
      `stale`, so any delivery order ends in the newest state (decision 046);
    - the tier is recomputed over all of the user's subscriptions and written with the limits
      in the same atomic write as the subscription, guarded by the limits' revision, so that
      concurrent events of one user cannot leave a tier computed from a stale view;
    - a lost optimistic race is retried from a fresh read.
    Profile and limits are read together (decision 115), and the user's subscriptions in one
    query that also holds the stored copy of this one: one read, one query, one write.
    """

    def __init__(
        self,
        snapshots: SnapshotReader,
        subscriptions: SubscriptionRepository,
        clock: Clock,
    ) -> None:
        self._snapshots = snapshots
        self._subscriptions = subscriptions
        self._clock = clock

    def execute(self, request: ApplyPaymentEventRequest) -> PaymentEventOutcome:
        snapshot = request.event.snapshot
        if snapshot is None:
            return PaymentEventOutcome.IGNORED
        return retry_on_conflict(lambda: self._apply(snapshot))

    def _owner(self, snapshot: StripeSubscriptionSnapshot) -> str | None:
        if snapshot.user_id is not None:
            return snapshot.user_id
        owners = sorted(
            {sub.user_id for sub in self._subscriptions.by_customer(snapshot.customer_id)}
        )
        return owners[0] if owners else None

    def _apply(self, snapshot: StripeSubscriptionSnapshot) -> PaymentEventOutcome:
        owner = self._owner(snapshot)
        if owner is None:
            return PaymentEventOutcome.UNKNOWN_CUSTOMER
        # The limits row is read before the subscriptions: its revision guards the write below,
        # so any event of this user committed after this read makes the write fail and the
        # retry see it (decision 079).
        seen = self._snapshots.read(SnapshotRequest(owner, user=True, limits=True))
        user, stored_limits = seen.user, seen.limits
        if user is None:
            return PaymentEventOutcome.UNKNOWN_CUSTOMER
        stored = self._subscriptions.list_for_user(user.user_id)
        previous = next((s for s in stored if s.subscription_id == snapshot.subscription_id), None)
        if not is_newer(previous, snapshot):
            return PaymentEventOutcome.STALE
        now = self._clock.now()
        sub = apply_snapshot(previous, snapshot, user.user_id, now)
        if sub is None:
            return PaymentEventOutcome.IGNORED
        others = [s for s in stored if s.subscription_id != sub.subscription_id]
        tier = entitled_tier([*others, sub], now)
        if stored_limits is None:
            limits = new_limits(user.user_id, tier, now)
        elif tier is user.tier and stored_limits.plan is tier:
            limits = stored_limits  # written unchanged: the revision still serialises the events
        else:
            limits = limits_for_tier(stored_limits, tier, now)
        try:
            self._subscriptions.apply(sub, previous, change_tier(user, tier, now), limits)
        except NotFound:
            # Erased between the read and the write: a user we no longer have (decision 079).
            return PaymentEventOutcome.UNKNOWN_CUSTOMER
        return PaymentEventOutcome.APPLIED
