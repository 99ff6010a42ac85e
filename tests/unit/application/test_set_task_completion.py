"""SetTaskCompletion: done or not done, today or yesterday, with progress and streaks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, cast

import pytest

from adapters.memory.clock import FixedClock
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from application.set_task_completion import (
    SetTaskCompletion,
    SetTaskCompletionRequest,
    TaskCompletion,
)
from domain.calendar import CalendarTask
from domain.errors import FutureTask, NotFound, TierRequired, TooLate
from domain.plan import Priority
from domain.tiers import Tier
from ports.calendar import CalendarRepository
from tests.support.factories import a_task
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_plan, a_user

TODAY = date(2026, 11, 25)


def scheduled(stores: Stores, clock: FixedClock, days: int = 3) -> list[CalendarTask]:
    """A basic user with a plan scheduled from today."""
    a_user(stores, clock)
    a_plan(stores, clock)
    use_case = ScheduleCalendar(
        stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
    )
    return list(use_case.execute(ScheduleCalendarRequest(USER, days=days)))


def set_done(
    stores: Stores, clock: FixedClock, task: CalendarTask, completed: bool = True
) -> TaskCompletion:
    use_case = SetTaskCompletion(stores.snapshots, stores.calendar, clock)
    return use_case.execute(SetTaskCompletionRequest(USER, task.task_date, task.task_id, completed))


def on(tasks: list[CalendarTask], day: date) -> list[CalendarTask]:
    return [t for t in tasks if t.task_date == day]


def test_completing_a_task_of_today_counts_it_in_todays_progress(
    stores: Stores, clock: FixedClock
) -> None:
    tasks = on(scheduled(stores, clock), TODAY)

    result = set_done(stores, clock, tasks[0])

    assert result.task.completed
    assert result.task.completed_at == clock.now()
    assert stores.calendar.get(USER, TODAY, tasks[0].task_id) == result.task
    assert result.progress == stores.progress.get(USER, TODAY)
    assert (result.progress.tasks_total, result.progress.tasks_completed) == (len(tasks), 1)
    assert result.progress.completion_percentage == 100 * 1 // len(tasks)


def test_completing_every_task_of_today_gives_two_points_and_a_streak_of_one(
    stores: Stores, clock: FixedClock
) -> None:
    tasks = on(scheduled(stores, clock), TODAY)

    results = [set_done(stores, clock, task) for task in tasks]

    last = results[-1].progress
    assert (last.completion_percentage, last.streak_points, last.streak) == (100, 2, 1)


def test_completing_yesterday_updates_todays_streak(stores: Stores, clock: FixedClock) -> None:
    tasks = scheduled(stores, clock)
    clock.advance(timedelta(days=1))
    tomorrow = TODAY + timedelta(days=1)
    for task in on(tasks, tomorrow):
        set_done(stores, clock, task)
    today = stores.progress.get(USER, tomorrow)
    assert today is not None
    assert today.streak == 1

    for task in on(tasks, TODAY):
        set_done(stores, clock, task)

    today = stores.progress.get(USER, tomorrow)
    yesterday = stores.progress.get(USER, TODAY)
    assert yesterday is not None
    assert today is not None
    assert (yesterday.streak, today.streak) == (1, 2)


def test_un_completing_yesterday_breaks_todays_streak_back_to_one(
    stores: Stores, clock: FixedClock
) -> None:
    tasks = scheduled(stores, clock)
    for task in on(tasks, TODAY):
        set_done(stores, clock, task)
    clock.advance(timedelta(days=1))
    for task in on(tasks, TODAY + timedelta(days=1)):
        set_done(stores, clock, task)

    result = set_done(stores, clock, on(tasks, TODAY)[0], completed=False)

    today = stores.progress.get(USER, TODAY + timedelta(days=1))
    assert today is not None
    assert result.progress.completion_percentage < 70
    assert (result.progress.streak, today.streak) == (0, 1)


def test_asking_for_the_state_a_task_has_writes_nothing(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY)[0]
    first = set_done(stores, clock, task)
    clock.advance(timedelta(minutes=10))

    again = set_done(stores, clock, task)

    assert again == first
    assert stores.calendar.get(USER, TODAY, task.task_id) == first.task
    assert stores.progress.get(USER, TODAY) == first.progress


def test_un_completing_an_open_task_writes_nothing(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY)[0]
    before = stores.progress.get(USER, TODAY)

    result = set_done(stores, clock, task, completed=False)

    assert not result.task.completed
    assert result.progress == before == stores.progress.get(USER, TODAY)


def test_a_date_whose_progress_item_is_missing_is_counted_from_its_tasks(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    plan = a_plan(stores, clock)
    tasks = [
        CalendarTask(USER, TODAY, f"t{n}", plan.plan_id, "ankle-circles", Priority.MUST,
                     False, None, clock.now())
        for n in range(3)
    ]  # fmt: skip
    stores.calendar.add_tasks(tasks, [])  # written without their progress (older data)

    result = set_done(stores, clock, tasks[0])

    assert (result.progress.tasks_total, result.progress.tasks_completed) == (3, 1)
    assert stores.progress.get(USER, TODAY) == result.progress


def test_completing_counts_on_from_the_dates_progress_item(
    stores: Stores, clock: FixedClock
) -> None:
    tasks = on(scheduled(stores, clock), TODAY)
    set_done(stores, clock, tasks[0])

    again = set_done(stores, clock, tasks[1])
    undone = set_done(stores, clock, tasks[0], completed=False)

    assert (again.progress.tasks_total, again.progress.tasks_completed) == (len(tasks), 2)
    assert (undone.progress.tasks_total, undone.progress.tasks_completed) == (len(tasks), 1)
    assert undone.progress == stores.progress.get(USER, TODAY)


def test_a_task_of_tomorrow_is_a_future_task(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY + timedelta(days=1))[0]

    with pytest.raises(FutureTask):
        set_done(stores, clock, task)
    assert not stores.calendar.between(USER, task.task_date, task.task_date)[0].completed


def test_a_task_of_the_day_before_yesterday_is_too_late(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY)[0]
    clock.advance(timedelta(days=2))

    with pytest.raises(TooLate):
        set_done(stores, clock, task)


def test_an_unknown_task_is_not_found(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY)[0]
    missing = CalendarTask(
        USER, TODAY, "no-such-task", task.plan_id, task.exercise_id, task.priority,
        False, None, task.created_at,
    )  # fmt: skip

    with pytest.raises(NotFound):
        set_done(stores, clock, missing)


def test_a_free_user_cannot_complete_tasks(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY)[0]
    user = stores.users.get(USER)
    limits = stores.limits.get(USER)
    assert user is not None
    assert limits is not None
    stores.users.change_tier(replace(user, tier=Tier.FREE), limits)

    with pytest.raises(TierRequired):
        set_done(stores, clock, task)


def test_an_unknown_user_cannot_complete_tasks(stores: Stores, clock: FixedClock) -> None:
    task = on(scheduled(stores, clock), TODAY)[0]
    use_case = SetTaskCompletion(stores.snapshots, stores.calendar, clock)

    with pytest.raises(NotFound):
        use_case.execute(SetTaskCompletionRequest("nobody", TODAY, task.task_id, True))


class ErasingCalendar:
    """A calendar whose user is erased right after the task was read (an erasure racing)."""

    def __init__(self, stores: Stores) -> None:
        self._stores = stores
        self._inner = stores.calendar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def on_date(self, user_id: str, task_date: date) -> Sequence[CalendarTask]:
        self._stores.account.erase(user_id, None)
        return self._inner.on_date(user_id, task_date)


def test_a_task_whose_date_empties_while_it_is_read_is_read_again_not_a_crash(
    stores: Stores, clock: FixedClock
) -> None:
    # Found by the soak: a 500 (KeyError) when the date's tasks vanished between the reads.
    a_user(stores, clock)
    task = a_task(USER, TODAY)
    stores.calendar.add_tasks([task], [])  # no progress item: the date's tasks are counted
    calendar = cast(CalendarRepository, ErasingCalendar(stores))
    use_case = SetTaskCompletion(stores.snapshots, calendar, clock)

    with pytest.raises(NotFound):
        use_case.execute(SetTaskCompletionRequest(USER, TODAY, task.task_id, False))
