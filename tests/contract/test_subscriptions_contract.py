"""SubscriptionRepository: writes guarded by the event watermark, with the tier they grant."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.errors import ConcurrentModification
from domain.limits import limits_for_tier
from domain.subscription import SubscriptionStatus
from domain.tiers import Tier
from tests.contract.storing import registered
from tests.support.factories import T0, a_subscription
from tests.support.stores import Stores

LATER = T0 + timedelta(minutes=5)


def test_a_new_subscription_reads_back_by_user_and_by_customer(stores: Stores) -> None:
    sub = a_subscription()
    stores.subscriptions.apply(sub, None)
    assert stores.subscriptions.get("user-1", "sub_1") == sub
    assert list(stores.subscriptions.list_for_user("user-1")) == [sub]
    assert list(stores.subscriptions.by_customer("cus_1")) == [sub]


def test_unknown_subscriptions_and_customers_read_as_nothing(stores: Stores) -> None:
    stores.subscriptions.apply(a_subscription(), None)
    assert stores.subscriptions.get("user-1", "sub_2") is None
    assert list(stores.subscriptions.list_for_user("user-2")) == []
    assert list(stores.subscriptions.by_customer("cus_2")) == []


def test_listings_keep_to_their_user_and_customer(stores: Stores) -> None:
    mine = [a_subscription(subscription_id=s) for s in ("sub_b", "sub_a")]
    theirs = a_subscription("user-2", "sub_c", customer="cus_2")
    for sub in [*mine, theirs]:
        stores.subscriptions.apply(sub, None)
    listed = stores.subscriptions.list_for_user("user-1")
    assert sorted(s.subscription_id for s in listed) == ["sub_a", "sub_b"]
    assert sorted(s.subscription_id for s in stores.subscriptions.by_customer("cus_1")) == [
        "sub_a",
        "sub_b",
    ]
    assert list(stores.subscriptions.by_customer("cus_2")) == [theirs]


def test_a_newer_event_replaces_the_subscription_it_was_decided_on(stores: Stores) -> None:
    first = a_subscription()
    stores.subscriptions.apply(first, None)
    second = a_subscription(event_id="evt_2", event_at=LATER, cancel_at_period_end=True)
    stores.subscriptions.apply(second, first)
    assert stores.subscriptions.get("user-1", "sub_1") == second


def test_creating_a_subscription_that_exists_already_is_refused(stores: Stores) -> None:
    first = a_subscription()
    stores.subscriptions.apply(first, None)
    with pytest.raises(ConcurrentModification):
        stores.subscriptions.apply(a_subscription(event_id="evt_2", event_at=LATER), None)
    assert stores.subscriptions.get("user-1", "sub_1") == first


def test_a_write_decided_on_an_older_watermark_is_refused(stores: Stores) -> None:
    first = a_subscription()
    stores.subscriptions.apply(first, None)
    second = a_subscription(event_id="evt_2", event_at=LATER)
    stores.subscriptions.apply(second, first)
    stale = a_subscription(event_id="evt_3", event_at=LATER, status=SubscriptionStatus.CANCELED)
    with pytest.raises(ConcurrentModification):
        stores.subscriptions.apply(stale, first)
    assert stores.subscriptions.get("user-1", "sub_1") == second


def test_a_tier_change_lands_with_the_subscription(stores: Stores) -> None:
    user = registered(stores)
    limits = stores.limits.get(user.user_id)
    assert limits is not None
    upgraded = dataclasses.replace(user, tier=Tier.PRO, updated_at=LATER)
    new_limits = limits_for_tier(limits, Tier.PRO, LATER)
    stores.subscriptions.apply(a_subscription(), None, upgraded, new_limits)
    assert stores.users.get(user.user_id) == upgraded
    assert stores.limits.get(user.user_id) == dataclasses.replace(
        new_limits, revision=limits.revision + 1
    )


def test_a_stale_limits_row_cancels_the_subscription_and_the_tier_too(stores: Stores) -> None:
    user = registered(stores)
    read = stores.limits.get(user.user_id)
    assert read is not None
    moved = stores.limits.save(dataclasses.replace(read, strikes=1))
    upgraded = dataclasses.replace(user, tier=Tier.PRO, updated_at=LATER)
    with pytest.raises(ConcurrentModification):
        stores.subscriptions.apply(
            a_subscription(), None, upgraded, limits_for_tier(read, Tier.PRO, LATER)
        )
    assert stores.subscriptions.get("user-1", "sub_1") is None
    assert stores.users.get(user.user_id) == user
    assert stores.limits.get(user.user_id) == moved


def test_a_tier_write_changes_only_the_users_tier(stores: Stores) -> None:
    user = registered(stores)
    limits = stores.limits.get(user.user_id)
    assert limits is not None
    # Only tier (and updated_at) are written: a stale copy's other fields are ignored.
    upgraded = dataclasses.replace(user, tier=Tier.PRO, updated_at=LATER, name="Stale")
    stores.subscriptions.apply(
        a_subscription(), None, upgraded, limits_for_tier(limits, Tier.PRO, LATER)
    )
    assert stores.users.get(user.user_id) == dataclasses.replace(
        user, tier=Tier.PRO, updated_at=LATER
    )
