"""PlanRepository: one atomic activation keeps at most one plan active (decision 052)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import ConcurrentModification, NotFound
from domain.plan import deactivate
from tests.support.factories import T0, a_plan, a_user, limits_for
from tests.support.stores import Stores

LATER = T0 + timedelta(days=1)


def test_a_user_without_plans_has_no_active_plan(stores: Stores) -> None:
    assert stores.plans.get_active("user-1") is None
    assert list(stores.plans.list_for_user("user-1")) == []


def test_the_first_plan_becomes_the_active_one(stores: Stores) -> None:
    plan = a_plan()
    stores.plans.activate(plan, None)
    assert stores.plans.get_active("user-1") == plan
    assert list(stores.plans.list_for_user("user-1")) == [plan]


def test_a_new_version_is_active_and_the_previous_one_is_not(stores: Stores) -> None:
    first = a_plan(version=1)
    stores.plans.activate(first, None)
    second = a_plan(version=2, created_at=LATER)
    stores.plans.activate(second, deactivate(first, LATER))
    assert stores.plans.get_active("user-1") == second
    assert list(stores.plans.list_for_user("user-1")) == [deactivate(first, LATER), second]


def test_plans_are_listed_oldest_version_first_and_per_user(stores: Stores) -> None:
    plans = [a_plan(version=v, is_active=False) for v in (1, 2, 3)]
    stores.plans.activate(plans[2], None)
    stores.plans.activate(plans[0], None)
    stores.plans.activate(plans[1], None)
    stores.plans.activate(a_plan("user-2"), None)
    assert [p.version for p in stores.plans.list_for_user("user-1")] == [1, 2, 3]


def test_a_concurrent_generation_of_the_same_version_loses(stores: Stores) -> None:
    winner = a_plan(version=1)
    stores.plans.activate(winner, None)
    loser = a_plan(version=1, created_at=LATER)
    with pytest.raises(ConcurrentModification):
        stores.plans.activate(loser, None)
    assert list(stores.plans.list_for_user("user-1")) == [winner]


def test_replacing_a_plan_that_is_no_longer_active_stores_nothing(stores: Stores) -> None:
    first = a_plan(version=1)
    stores.plans.activate(first, None)
    second = a_plan(version=2, created_at=LATER)
    stores.plans.activate(second, deactivate(first, LATER))
    stale = a_plan(version=3, created_at=LATER)
    with pytest.raises(ConcurrentModification):
        stores.plans.activate(stale, deactivate(first, LATER))
    assert stores.plans.get_active("user-1") == second
    assert [p.version for p in stores.plans.list_for_user("user-1")] == [1, 2]


def test_replacing_a_plan_that_was_never_stored_stores_nothing(stores: Stores) -> None:
    with pytest.raises(ConcurrentModification):
        stores.plans.activate(a_plan(version=2), a_plan(version=1))
    assert list(stores.plans.list_for_user("user-1")) == []


def test_a_plan_that_requires_its_user_is_refused_for_a_user_not_stored(stores: Stores) -> None:
    # An erasure between a generation's read and its write leaves no plan behind (issue 12).
    with pytest.raises(NotFound):
        stores.plans.activate(a_plan(), None, require_user=True)
    assert stores.plans.list_for_user("user-1") == []
    user = a_user()
    stores.users.add(user, limits_for(user))
    stores.plans.activate(a_plan(), None, require_user=True)
    assert [p.version for p in stores.plans.list_for_user("user-1")] == [1]
