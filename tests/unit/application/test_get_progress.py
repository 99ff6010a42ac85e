"""GetProgress: the days of a range with the current and best streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.get_progress import GetProgress, GetProgressRequest, ProgressReport
from domain.errors import NotFound, TierRequired, ValidationFailed
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_streak_history, a_user

FIRST = date(2026, 11, 25)


def progress(stores: Stores, clock: FixedClock, first: date, last: date) -> ProgressReport:
    use_case = GetProgress(stores.snapshots, stores.progress, clock)
    return use_case.execute(GetProgressRequest(USER, first, last))


def test_the_days_of_the_range_come_oldest_first(stores: Stores, clock: FixedClock) -> None:
    a_streak_history(stores, clock, [True, False, True])

    report = progress(stores, clock, FIRST, FIRST + timedelta(days=2))

    assert [d.date for d in report.days] == [FIRST + timedelta(days=n) for n in range(3)]
    assert [d.streak for d in report.days] == [1, 0, 1]
    assert report.days == tuple(stores.progress.between(USER, FIRST, FIRST + timedelta(days=2)))


def test_while_today_is_unfinished_the_current_streak_is_yesterdays(
    stores: Stores, clock: FixedClock
) -> None:
    a_streak_history(stores, clock, [True, True])  # today is the third day, nothing done yet

    report = progress(stores, clock, FIRST, FIRST + timedelta(days=2))

    assert (report.current_streak, report.best_streak) == (2, 2)


def test_a_day_missed_before_today_leaves_no_current_streak_but_the_best_one(
    stores: Stores, clock: FixedClock
) -> None:
    a_streak_history(stores, clock, [True, True, False])

    report = progress(stores, clock, FIRST, FIRST + timedelta(days=3))

    assert (report.current_streak, report.best_streak) == (0, 2)


def test_the_current_streak_does_not_depend_on_the_range_asked_for(
    stores: Stores, clock: FixedClock
) -> None:
    a_streak_history(stores, clock, [True, True, True])

    report = progress(stores, clock, FIRST - timedelta(days=30), FIRST - timedelta(days=1))

    assert report.days == ()
    assert (report.current_streak, report.best_streak) == (3, 3)


def test_a_range_far_from_today_still_gives_todays_current_streak(
    stores: Stores, clock: FixedClock
) -> None:
    a_streak_history(stores, clock, [True, True])
    far = FIRST + timedelta(days=300)

    report = progress(stores, clock, far, far + timedelta(days=10))

    assert report.days == ()
    assert (report.current_streak, report.best_streak) == (2, 2)


def test_a_range_before_the_history_reads_its_own_days_only(
    stores: Stores, clock: FixedClock
) -> None:
    a_streak_history(stores, clock, [True, False, True])

    report = progress(stores, clock, FIRST + timedelta(days=1), FIRST + timedelta(days=1))

    assert [d.date for d in report.days] == [FIRST + timedelta(days=1)]
    assert (report.current_streak, report.best_streak) == (1, 1)


def test_a_range_of_more_than_ninety_two_dates_is_refused(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)

    with pytest.raises(ValidationFailed):
        progress(stores, clock, FIRST, FIRST + timedelta(days=92))


def test_a_range_ending_before_it_starts_is_refused(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)

    with pytest.raises(ValidationFailed):
        progress(stores, clock, FIRST, FIRST - timedelta(days=1))


def test_a_free_user_cannot_read_progress(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(TierRequired):
        progress(stores, clock, FIRST, FIRST)


def test_an_unknown_user_cannot_read_progress(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        progress(stores, clock, FIRST, FIRST)
