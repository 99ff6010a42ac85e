"""TopStreaks: the user's highest streak days, highest first."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters.memory.clock import FixedClock
from application.top_streaks import TopStreaks, TopStreaksRequest
from domain.errors import NotFound, TierRequired, ValidationFailed
from domain.progress import Progress
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_streak_history, a_user


def top(stores: Stores, limit: int = 10) -> Sequence[Progress]:
    return TopStreaks(stores.users, stores.progress).execute(TopStreaksRequest(USER, limit))


def test_the_highest_streak_days_come_first(stores: Stores, clock: FixedClock) -> None:
    a_streak_history(stores, clock, [True, True, True, False, True])

    assert [d.streak for d in top(stores, limit=2)] == [3, 2]


def test_days_without_a_streak_are_left_out(stores: Stores, clock: FixedClock) -> None:
    a_streak_history(stores, clock, [True, False, True, True])

    assert [d.streak for d in top(stores)] == [2, 1, 1]


@pytest.mark.parametrize("limit", [1, 50])
def test_a_limit_of_one_to_fifty_is_accepted(stores: Stores, clock: FixedClock, limit: int) -> None:
    a_streak_history(stores, clock, [True, True])

    assert len(top(stores, limit)) == min(limit, 2)


@pytest.mark.parametrize("limit", [0, 51])
def test_a_limit_outside_one_to_fifty_is_refused(
    stores: Stores, clock: FixedClock, limit: int
) -> None:
    a_user(stores, clock)

    with pytest.raises(ValidationFailed):
        top(stores, limit)


def test_a_free_user_cannot_read_streaks(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(TierRequired):
        top(stores)


def test_an_unknown_user_cannot_read_streaks(stores: Stores) -> None:
    with pytest.raises(NotFound):
        top(stores)
