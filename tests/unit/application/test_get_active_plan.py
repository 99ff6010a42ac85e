"""GetActivePlan: the user's active plan, for basic and higher."""

from __future__ import annotations

import pytest

from adapters.memory.clock import FixedClock
from application.get_active_plan import GetActivePlan, GetActivePlanRequest
from domain.errors import NotFound, TierRequired
from domain.plan import Plan
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_plan, a_user


def active_plan(stores: Stores) -> Plan:
    return GetActivePlan(stores.snapshots).execute(GetActivePlanRequest(USER))


def test_the_latest_generated_plan_is_the_active_one(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)
    latest = a_plan(stores, clock)

    assert active_plan(stores) == latest
    assert latest.version == 2


def test_a_user_without_a_plan_gets_not_found(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)

    with pytest.raises(NotFound):
        active_plan(stores)


def test_a_free_user_gets_tier_required(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(TierRequired):
        active_plan(stores)


def test_an_unknown_user_gets_not_found(stores: Stores) -> None:
    with pytest.raises(NotFound):
        active_plan(stores)
