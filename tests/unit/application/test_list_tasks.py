"""ListTasks: the tasks of a date or of a range of at most 92 dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.list_tasks import ListTasks, ListTasksRequest
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from domain.calendar import CalendarTask
from domain.errors import NotFound, TierRequired, ValidationFailed
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_plan, a_user

TODAY = date(2026, 11, 25)


def scheduled(stores: Stores, clock: FixedClock) -> list[CalendarTask]:
    a_user(stores, clock)
    a_plan(stores, clock)
    use_case = ScheduleCalendar(
        stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
    )
    return list(use_case.execute(ScheduleCalendarRequest(USER, days=5)))


def list_tasks(stores: Stores, first: date, last: date | None = None) -> list[CalendarTask]:
    return list(
        ListTasks(stores.users, stores.calendar).execute(ListTasksRequest(USER, first, last))
    )


def test_the_tasks_of_one_date_are_listed_by_task_id(stores: Stores, clock: FixedClock) -> None:
    tasks = scheduled(stores, clock)
    day = TODAY + timedelta(days=1)

    listed = list_tasks(stores, day)

    assert listed == sorted((t for t in tasks if t.task_date == day), key=lambda t: t.task_id)
    assert listed


def test_a_range_lists_every_task_of_its_dates_inclusive(stores: Stores, clock: FixedClock) -> None:
    tasks = scheduled(stores, clock)

    listed = list_tasks(stores, TODAY + timedelta(days=1), TODAY + timedelta(days=3))

    assert listed == [t for t in tasks if TODAY < t.task_date <= TODAY + timedelta(days=3)]


def test_a_range_of_ninety_two_dates_is_accepted(stores: Stores, clock: FixedClock) -> None:
    tasks = scheduled(stores, clock)

    assert list_tasks(stores, TODAY, TODAY + timedelta(days=91)) == tasks


def test_a_range_of_ninety_three_dates_is_refused(stores: Stores, clock: FixedClock) -> None:
    scheduled(stores, clock)

    with pytest.raises(ValidationFailed):
        list_tasks(stores, TODAY, TODAY + timedelta(days=92))


def test_a_range_ending_before_it_starts_is_refused(stores: Stores, clock: FixedClock) -> None:
    scheduled(stores, clock)

    with pytest.raises(ValidationFailed):
        list_tasks(stores, TODAY, TODAY - timedelta(days=1))


def test_a_free_user_cannot_read_the_calendar(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(TierRequired):
        list_tasks(stores, TODAY)


def test_an_unknown_user_cannot_read_a_calendar(stores: Stores) -> None:
    with pytest.raises(NotFound):
        list_tasks(stores, TODAY)
