"""ProgressRepository: one item per date, range reads, the latest earlier day and streaks."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from domain.progress import Progress
from tests.support.factories import DAY0, a_progress
from tests.support.stores import Stores


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def written(stores: Stores, *items: Progress) -> list[Progress]:
    """New progress items stored through the calendar write, as they read back."""
    stores.calendar.add_tasks([], list(items))
    return [dataclasses.replace(item, revision=1) for item in items]


def test_an_unwritten_date_has_no_progress(stores: Stores) -> None:
    assert stores.progress.get("user-1", DAY0) is None
    assert stores.progress.best_streak("user-1") == 0
    assert list(stores.progress.top_streaks("user-1", 3)) == []
    assert stores.progress.latest_before("user-1", DAY0) is None


def test_a_written_date_reads_back_at_revision_one(stores: Stores) -> None:
    [item] = written(stores, a_progress(total=3, completed=2, streak=4))
    assert stores.progress.get("user-1", DAY0) == item


def test_between_is_inclusive_oldest_first_and_per_user(stores: Stores) -> None:
    items = written(stores, *(a_progress(day=day(n), total=1) for n in (3, 0, 1, 2, 4)))
    written(stores, a_progress("user-2", day(1), total=1))
    found = stores.progress.between("user-1", day(1), day(3))
    by_date = {item.date: item for item in items}
    assert list(found) == [by_date[day(1)], by_date[day(2)], by_date[day(3)]]


def test_the_latest_day_before_skips_days_without_tasks_and_the_day_itself(
    stores: Stores,
) -> None:
    with_tasks, _, _ = written(
        stores,
        a_progress(day=day(0), total=2, completed=2, streak=1),
        a_progress(day=day(1)),  # no tasks: a test improvement only
        a_progress(day=day(2), total=1),
    )
    assert stores.progress.latest_before("user-1", day(2)) == with_tasks
    assert stores.progress.latest_before("user-1", day(0)) is None


def test_top_streaks_are_highest_first_newer_date_first_on_ties(stores: Stores) -> None:
    written(
        stores,
        *(
            a_progress(day=day(n), total=1, completed=1, streak=streak)
            for n, streak in enumerate([1, 5, 2, 5, 3])
        ),
    )
    top = stores.progress.top_streaks("user-1", 3)
    assert [(p.streak, p.date) for p in top] == [(5, day(3)), (5, day(1)), (3, day(4))]


def test_the_best_streak_is_the_highest_ever_reached_by_this_user(stores: Stores) -> None:
    written(stores, *(a_progress(day=day(n), total=1, streak=s) for n, s in enumerate([2, 7, 0])))
    written(stores, a_progress("user-2", total=1, streak=9))
    assert stores.progress.best_streak("user-1") == 7
