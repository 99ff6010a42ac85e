"""ApplyPaymentEvent: webhook events, in any order and any number of times, end in one state."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.apply_payment_event import (
    ApplyPaymentEvent,
    ApplyPaymentEventRequest,
    PaymentEventOutcome,
)
from domain.limits import UserLimits
from domain.subscription import (
    StripeSubscriptionSnapshot,
    Subscription,
    SubscriptionStatus,
)
from domain.tiers import Tier, quota_of
from domain.user import User
from ports.subscriptions import SubscriptionRepository
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW
from tests.unit.application.plan_payment_factories import USER, a_snapshot, a_user, an_event

T0 = NOW - timedelta(days=2)


def use_case(
    stores: Stores, clock: FixedClock, subscriptions: SubscriptionRepository | None = None
) -> ApplyPaymentEvent:
    return ApplyPaymentEvent(stores.snapshots, subscriptions or stores.subscriptions, clock)


def apply(
    stores: Stores, clock: FixedClock, snapshot: StripeSubscriptionSnapshot | None
) -> PaymentEventOutcome:
    return use_case(stores, clock).execute(ApplyPaymentEventRequest(an_event(snapshot)))


def tier_and_limits(stores: Stores) -> tuple[Tier, UserLimits]:
    user = stores.users.get(USER)
    limits = stores.limits.get(USER)
    assert user is not None
    assert limits is not None
    return user.tier, limits


def test_an_event_without_a_subscription_is_ignored(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    assert apply(stores, clock, None) is PaymentEventOutcome.IGNORED
    assert stores.subscriptions.list_for_user(USER) == []


def test_an_active_subscription_grants_its_tier_and_the_tiers_limits(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    outcome = apply(stores, clock, a_snapshot("evt_1", T0, tier=Tier.PRO, customer_id="cus_9"))

    assert outcome is PaymentEventOutcome.APPLIED
    stored = stores.subscriptions.get(USER, "sub_1")
    assert stored is not None
    assert (stored.status, stored.tier, stored.stripe_customer_id) == (
        SubscriptionStatus.ACTIVE,
        Tier.PRO,
        "cus_9",
    )
    tier, limits = tier_and_limits(stores)
    assert tier is Tier.PRO
    assert (limits.plan, limits.video_quota_day, limits.test_quota_month) == (
        Tier.PRO,
        quota_of(Tier.PRO).videos_per_day,
        quota_of(Tier.PRO).distinct_tests_per_month,
    )


def test_the_same_event_twice_is_stale_and_changes_nothing(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    snapshot = a_snapshot("evt_1", T0)
    apply(stores, clock, snapshot)
    before = (stores.subscriptions.get(USER, "sub_1"), tier_and_limits(stores))
    clock.advance(timedelta(minutes=1))

    assert apply(stores, clock, snapshot) is PaymentEventOutcome.STALE
    assert (stores.subscriptions.get(USER, "sub_1"), tier_and_limits(stores)) == before


def test_an_older_event_after_a_newer_one_never_rolls_state_back(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    ended = a_snapshot("evt_2", T0 + timedelta(hours=1), status="canceled", period_end=T0)
    apply(stores, clock, ended)

    outcome = apply(stores, clock, a_snapshot("evt_1", T0))

    assert outcome is PaymentEventOutcome.STALE
    stored = stores.subscriptions.get(USER, "sub_1")
    assert stored is not None
    assert (stored.last_event_id, stored.status) == ("evt_2", SubscriptionStatus.EXPIRED)
    assert tier_and_limits(stores)[0] is Tier.FREE


LIFE = (
    a_snapshot("evt_a", T0, status="active", tier=Tier.PRO),
    a_snapshot("evt_b", T0 + timedelta(hours=1), status="past_due", tier=Tier.PRO),
    a_snapshot("evt_c", T0 + timedelta(hours=2), status="active", tier=Tier.BASIC),
)


@pytest.mark.parametrize("order", list(itertools.permutations(LIFE)))
def test_every_delivery_order_ends_in_the_newest_state_and_its_tier(
    stores: Stores, clock: FixedClock, order: Sequence[StripeSubscriptionSnapshot]
) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    for snapshot in [*order, *order]:  # and every event delivered twice
        apply(stores, clock, snapshot)

    stored = stores.subscriptions.get(USER, "sub_1")
    assert stored is not None
    assert (stored.last_event_id, stored.tier, stored.status) == (
        "evt_c",
        Tier.BASIC,
        SubscriptionStatus.ACTIVE,
    )
    tier, limits = tier_and_limits(stores)
    assert (tier, limits.plan) == (Tier.BASIC, Tier.BASIC)


def test_a_customer_we_do_not_know_is_ignored(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    outcome = apply(stores, clock, a_snapshot("evt_1", T0, user_id=None, customer_id="cus_x"))

    assert outcome is PaymentEventOutcome.UNKNOWN_CUSTOMER
    assert stores.subscriptions.by_customer("cus_x") == []


def test_a_user_we_do_not_have_is_never_created(stores: Stores, clock: FixedClock) -> None:
    outcome = apply(stores, clock, a_snapshot("evt_1", T0, user_id="erased-user"))

    assert outcome is PaymentEventOutcome.UNKNOWN_CUSTOMER
    assert stores.subscriptions.list_for_user("erased-user") == []
    assert stores.users.get("erased-user") is None


def test_an_event_without_a_user_belongs_to_the_customers_owner(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    apply(stores, clock, a_snapshot("evt_1", T0, customer_id="cus_7"))

    later = a_snapshot("evt_2", T0, subscription_id="sub_2", user_id=None, customer_id="cus_7")
    outcome = apply(stores, clock, later)

    assert outcome is PaymentEventOutcome.APPLIED
    assert stores.subscriptions.get(USER, "sub_2") is not None


def test_a_first_incomplete_subscription_is_not_kept(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    outcome = apply(stores, clock, a_snapshot("evt_1", T0, status="incomplete"))

    assert outcome is PaymentEventOutcome.IGNORED
    assert stores.subscriptions.list_for_user(USER) == []
    assert tier_and_limits(stores)[0] is Tier.FREE


def test_the_tier_is_the_highest_of_the_granting_subscriptions(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    apply(stores, clock, a_snapshot("evt_1", T0, subscription_id="sub_1", tier=Tier.BASIC))
    apply(stores, clock, a_snapshot("evt_2", T0, subscription_id="sub_2", tier=Tier.PROPLUS))
    assert tier_and_limits(stores)[0] is Tier.PROPLUS

    ended = a_snapshot(
        "evt_3", T0 + timedelta(hours=1), subscription_id="sub_2", status="canceled", period_end=T0
    )
    apply(stores, clock, ended)

    tier, limits = tier_and_limits(stores)
    assert (tier, limits.plan) == (Tier.BASIC, Tier.BASIC)


class RacingSubscriptions:
    """Subscriptions whose first write loses to another event of the same user landing first."""

    def __init__(self, inner: SubscriptionRepository, rival: ApplyPaymentEventRequest) -> None:
        self._inner = inner
        self._rival: ApplyPaymentEventRequest | None = rival
        self.racing_use_case: ApplyPaymentEvent | None = None

    def list_for_user(self, user_id: str) -> Sequence[Subscription]:
        return self._inner.list_for_user(user_id)

    def active_for_user(self, user_id: str) -> Sequence[Subscription]:
        return self._inner.active_for_user(user_id)

    def get(self, user_id: str, subscription_id: str) -> Subscription | None:
        return self._inner.get(user_id, subscription_id)

    def by_customer(self, stripe_customer_id: str) -> Sequence[Subscription]:
        return self._inner.by_customer(stripe_customer_id)

    def apply(
        self,
        subscription: Subscription,
        previous: Subscription | None,
        user: User | None = None,
        limits: UserLimits | None = None,
    ) -> None:
        rival, self._rival = self._rival, None
        if rival is not None and self.racing_use_case is not None:
            self.racing_use_case.execute(rival)
        self._inner.apply(subscription, previous, user, limits)


def test_concurrent_events_of_two_subscriptions_leave_the_tier_they_entitle_together(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    apply(stores, clock, a_snapshot("evt_1", T0, subscription_id="sub_1", tier=Tier.BASIC))
    apply(stores, clock, a_snapshot("evt_2", T0, subscription_id="sub_2", tier=Tier.PRO))
    later = T0 + timedelta(hours=1)
    end_1 = a_snapshot("evt_3", later, subscription_id="sub_1", status="canceled", period_end=T0)
    end_2 = a_snapshot("evt_4", later, subscription_id="sub_2", status="canceled", period_end=T0)
    racing = RacingSubscriptions(stores.subscriptions, ApplyPaymentEventRequest(an_event(end_2)))
    racing.racing_use_case = use_case(stores, clock)

    outcome = use_case(stores, clock, racing).execute(ApplyPaymentEventRequest(an_event(end_1)))

    assert outcome is PaymentEventOutcome.APPLIED
    statuses = {s.subscription_id: s.status for s in stores.subscriptions.list_for_user(USER)}
    assert statuses == {"sub_1": SubscriptionStatus.EXPIRED, "sub_2": SubscriptionStatus.EXPIRED}
    tier, limits = tier_and_limits(stores)
    assert (tier, limits.plan) == (Tier.FREE, Tier.FREE)


class ErasingSubscriptions(RacingSubscriptions):
    """Subscriptions whose user is erased between the event's reads and its write."""

    def __init__(self, inner: SubscriptionRepository, stores: Stores) -> None:
        super().__init__(inner, ApplyPaymentEventRequest(an_event(None)))
        self._stores = stores

    def apply(
        self,
        subscription: Subscription,
        previous: Subscription | None,
        user: User | None = None,
        limits: UserLimits | None = None,
    ) -> None:
        self._stores.account.erase(subscription.user_id, None)
        self._inner.apply(subscription, previous, user, limits)


def test_an_event_of_a_user_erased_meanwhile_is_of_an_unknown_customer_and_stores_nothing(
    stores: Stores, clock: FixedClock
) -> None:
    # A 404 would make Stripe retry for days; the user is gone for good (issue 12 soak).
    a_user(stores, clock, tier=Tier.FREE)
    erasing = ErasingSubscriptions(stores.subscriptions, stores)

    outcome = use_case(stores, clock, erasing).execute(
        ApplyPaymentEventRequest(an_event(a_snapshot("evt_1", T0, tier=Tier.BASIC)))
    )

    assert outcome is PaymentEventOutcome.UNKNOWN_CUSTOMER
    assert stores.subscriptions.list_for_user(USER) == []
    assert stores.users.get(USER) is None
