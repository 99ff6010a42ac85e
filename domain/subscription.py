"""Stripe subscriptions: status mapping, event ordering and the tier they entitle (SPEC.md 8).

A webhook gives us a snapshot of one Stripe subscription at the time of one event. Events arrive
late, twice and out of order, so every snapshot is compared with the stored watermark (the newest
event applied) before it may change anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from domain.errors import ValidationFailed
from domain.tiers import Tier, highest


class SubscriptionStatus(StrEnum):
    """The statuses the subscriptions table stores (Stripe's are richer; see map_stripe_status)."""

    ACTIVE = "active"
    CANCELED = "canceled"
    PAST_DUE = "past_due"
    EXPIRED = "expired"


GRANTING_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})

# Stripe's statuses in the order a subscription's life normally moves through them. Used only to
# break ties between events created in the same second (docs/decisions/046).
STRIPE_STATUS_PROGRESSION: tuple[str, ...] = (
    "incomplete",
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "paused",
    "canceled",
    "incomplete_expired",
)
_RANK = {status: rank for rank, status in enumerate(STRIPE_STATUS_PROGRESSION)}


@dataclass(frozen=True, slots=True)
class Subscription:
    """A row of the subscriptions table plus the raw Stripe status and the event watermark."""

    user_id: str
    subscription_id: str
    stripe_customer_id: str
    tier: Tier
    status: SubscriptionStatus
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    stripe_status: str
    last_event_at: datetime
    last_event_id: str

    def __post_init__(self) -> None:
        _require_paid(self.tier)
        for field, value in (
            ("current_period_start", self.current_period_start),
            ("current_period_end", self.current_period_end),
            ("canceled_at", self.canceled_at),
            ("created_at", self.created_at),
            ("updated_at", self.updated_at),
            ("last_event_at", self.last_event_at),
        ):
            _require_aware(field, value)


@dataclass(frozen=True, slots=True)
class StripeSubscriptionSnapshot:
    """What one webhook event tells us about one Stripe subscription."""

    subscription_id: str
    customer_id: str
    user_id: str | None
    stripe_status: str
    price_tier: Tier
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None
    event_id: str
    event_created: datetime

    def __post_init__(self) -> None:
        _require_paid(self.price_tier)
        for field, text in (
            ("subscription_id", self.subscription_id),
            ("customer_id", self.customer_id),
            ("event_id", self.event_id),
        ):
            if not text:
                raise ValidationFailed(f"{field} is empty")
        for field, value in (
            ("current_period_start", self.current_period_start),
            ("current_period_end", self.current_period_end),
            ("canceled_at", self.canceled_at),
            ("event_created", self.event_created),
        ):
            _require_aware(field, value)


def map_stripe_status(
    stripe_status: str, current_period_end: datetime, now: datetime
) -> SubscriptionStatus | None:
    """Our status for a Stripe status; None for `incomplete`, which grants nothing (not kept)."""
    match stripe_status:
        case "trialing" | "active":
            return SubscriptionStatus.ACTIVE
        case "past_due" | "unpaid":
            return SubscriptionStatus.PAST_DUE
        case "canceled":
            ended = current_period_end <= now
            return SubscriptionStatus.EXPIRED if ended else SubscriptionStatus.CANCELED
        case "incomplete_expired":
            return SubscriptionStatus.EXPIRED
        case "paused":
            # A trial that ended without a payment method: access has lapsed (decision 045).
            return SubscriptionStatus.EXPIRED
        case "incomplete":
            return None
        case _:
            raise ValidationFailed(f"unknown Stripe subscription status {stripe_status!r}")


def grants_tier(sub: Subscription, now: datetime) -> bool:
    """Whether the subscription entitles its tier at `now`: active or past due, period not over."""
    return sub.status in GRANTING_STATUSES and sub.current_period_end > now


def entitled_tier(subs: Iterable[Subscription], now: datetime) -> Tier:
    """The highest tier among the subscriptions that grant one at `now`; `free` when none does."""
    return highest([sub.tier for sub in subs if grants_tier(sub, now)])


_NO_TIME = datetime.min.replace(tzinfo=UTC)
_OrderKey = tuple[datetime, int, datetime, bool, bool, datetime, str]


def _order_key(
    event_created: datetime,
    stripe_status: str,
    current_period_end: datetime,
    cancel_at_period_end: bool,
    canceled_at: datetime | None,
    event_id: str,
) -> _OrderKey:
    # Later event first; within Stripe's one-second resolution, the further-along status, then the
    # later period. The last three only make the order total, so that every delivery order of the
    # same events ends in the same state (decision 046).
    if stripe_status not in _RANK:
        raise ValidationFailed(f"unknown Stripe subscription status {stripe_status!r}")
    return (
        event_created,
        _RANK[stripe_status],
        current_period_end,
        cancel_at_period_end,
        canceled_at is not None,
        canceled_at or _NO_TIME,
        event_id,
    )


def is_newer(existing: Subscription | None, snapshot: StripeSubscriptionSnapshot) -> bool:
    """Whether the snapshot is newer than the state stored; the same event is never newer."""
    if existing is None:
        return True
    if existing.last_event_id == snapshot.event_id:
        return False
    stored = _order_key(
        existing.last_event_at,
        existing.stripe_status,
        existing.current_period_end,
        existing.cancel_at_period_end,
        existing.canceled_at,
        existing.last_event_id,
    )
    incoming = _order_key(
        snapshot.event_created,
        snapshot.stripe_status,
        snapshot.current_period_end,
        snapshot.cancel_at_period_end,
        snapshot.canceled_at,
        snapshot.event_id,
    )
    return incoming > stored


def apply_snapshot(
    existing: Subscription | None,
    snapshot: StripeSubscriptionSnapshot,
    user_id: str,
    now: datetime,
) -> Subscription | None:
    """The stored state after the snapshot: unchanged unless it is newer; None if nothing to keep.

    `user_id` is the owner resolved by the caller; a stored subscription keeps its owner.
    """
    if existing is not None and existing.subscription_id != snapshot.subscription_id:
        raise ValueError("a snapshot applies only to the subscription with its id")
    if not is_newer(existing, snapshot):
        return existing
    status = map_stripe_status(snapshot.stripe_status, snapshot.current_period_end, now)
    if status is None:
        if existing is None:
            return None
        # Stripe never returns a subscription to `incomplete`; should it seem to, the record must
        # stop granting rather than keep a stale grant (decision 047).
        status = SubscriptionStatus.EXPIRED
    moment = _utc(now)
    return Subscription(
        user_id=existing.user_id if existing is not None else user_id,
        subscription_id=snapshot.subscription_id,
        stripe_customer_id=snapshot.customer_id,
        tier=snapshot.price_tier,
        status=status,
        current_period_start=snapshot.current_period_start,
        current_period_end=snapshot.current_period_end,
        cancel_at_period_end=snapshot.cancel_at_period_end,
        canceled_at=snapshot.canceled_at,
        created_at=existing.created_at if existing is not None else moment,
        updated_at=moment,
        stripe_status=snapshot.stripe_status,
        last_event_at=snapshot.event_created,
        last_event_id=snapshot.event_id,
    )


def _require_paid(tier: Tier) -> None:
    if not tier.is_paid:
        raise ValidationFailed("a subscription is for a paid tier")


def _require_aware(field: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{field} must be a timezone-aware datetime")


def _utc(now: datetime) -> datetime:
    _require_aware("now", now)
    return now.astimezone(UTC)
