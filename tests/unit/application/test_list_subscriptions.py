"""ListSubscriptions: every subscription of the user, newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.apply_payment_event import ApplyPaymentEvent, ApplyPaymentEventRequest
from application.list_subscriptions import ListSubscriptions, ListSubscriptionsRequest
from domain.errors import NotFound
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_snapshot, a_user, an_event


def test_subscriptions_are_listed_newest_first(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    apply = ApplyPaymentEvent(stores.snapshots, stores.subscriptions, clock)
    start = clock.now() - timedelta(days=1)
    apply.execute(
        ApplyPaymentEventRequest(an_event(a_snapshot("evt_1", start, subscription_id="sub_b")))
    )
    clock.advance(timedelta(minutes=1))
    apply.execute(
        ApplyPaymentEventRequest(
            an_event(a_snapshot("evt_2", start, subscription_id="sub_a", tier=Tier.PRO))
        )
    )

    listed = ListSubscriptions(stores.users, stores.subscriptions).execute(
        ListSubscriptionsRequest(USER)
    )

    assert [s.subscription_id for s in listed] == ["sub_a", "sub_b"]


def test_a_user_without_subscriptions_gets_an_empty_list(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    use_case = ListSubscriptions(stores.users, stores.subscriptions)

    assert use_case.execute(ListSubscriptionsRequest(USER)) == ()


def test_an_unknown_user_gets_not_found(stores: Stores) -> None:
    use_case = ListSubscriptions(stores.users, stores.subscriptions)

    with pytest.raises(NotFound):
        use_case.execute(ListSubscriptionsRequest(USER))
