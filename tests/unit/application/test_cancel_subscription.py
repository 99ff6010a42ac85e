"""CancelSubscription: stop renewing at period end, keep access until then."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.payments import FakePaymentGateway
from application.apply_payment_event import (
    ApplyPaymentEvent,
    ApplyPaymentEventRequest,
    PaymentEventOutcome,
)
from application.cancel_subscription import CancelSubscription, CancelSubscriptionRequest
from domain.errors import NotFound
from domain.subscription import Subscription
from domain.tiers import Tier
from domain.user import User
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_snapshot, a_user, an_event


def subscribed(stores: Stores, clock: FixedClock, status: str = "active") -> User:
    user = a_user(stores, clock, tier=Tier.FREE)
    apply = ApplyPaymentEvent(stores.snapshots, stores.subscriptions, clock)
    snapshot = a_snapshot("evt_1", clock.now() - timedelta(days=1), status=status)
    apply.execute(ApplyPaymentEventRequest(an_event(snapshot)))
    return user


def cancel(stores: Stores, clock: FixedClock, payments: FakePaymentGateway) -> list[Subscription]:
    use_case = CancelSubscription(stores.users, stores.subscriptions, payments, clock)
    return list(use_case.execute(CancelSubscriptionRequest(USER)))


def test_cancelling_stops_renewal_with_stripe_and_records_it(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    subscribed(stores, clock)

    [cancelled] = cancel(stores, clock, payments)

    assert payments.cancelled_at_period_end == ["sub_1"]
    assert cancelled.cancel_at_period_end
    assert stores.subscriptions.get(USER, "sub_1") == cancelled
    user = stores.users.get(USER)
    assert user is not None
    assert user.tier is Tier.BASIC  # access lasts until the period ends


def test_cancelling_again_changes_nothing_and_asks_stripe_nothing(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    subscribed(stores, clock)
    first = cancel(stores, clock, payments)
    clock.advance(timedelta(minutes=1))

    again = cancel(stores, clock, payments)

    assert again == first
    assert payments.cancelled_at_period_end == ["sub_1"]


def test_the_webhook_confirming_the_cancellation_still_applies(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    subscribed(stores, clock)
    cancel(stores, clock, payments)
    apply = ApplyPaymentEvent(stores.snapshots, stores.subscriptions, clock)
    confirm = a_snapshot("evt_2", clock.now(), cancel_at_period_end=True)

    outcome = apply.execute(ApplyPaymentEventRequest(an_event(confirm)))

    assert outcome is PaymentEventOutcome.APPLIED
    stored = stores.subscriptions.get(USER, "sub_1")
    assert stored is not None
    assert (stored.last_event_id, stored.cancel_at_period_end) == ("evt_2", True)


def test_a_user_whose_subscription_grants_nothing_has_nothing_to_cancel(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    subscribed(stores, clock, status="incomplete_expired")

    with pytest.raises(NotFound):
        cancel(stores, clock, payments)
    assert payments.cancelled_at_period_end == []


def test_a_user_without_subscriptions_has_nothing_to_cancel(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(NotFound):
        cancel(stores, clock, payments)


def test_an_unknown_user_has_nothing_to_cancel(
    stores: Stores, clock: FixedClock, payments: FakePaymentGateway
) -> None:
    with pytest.raises(NotFound):
        cancel(stores, clock, payments)
