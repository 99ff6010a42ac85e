"""ScheduleCalendar: the active plan's tasks over a window, with the progress of their dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from domain.calendar import CalendarTask
from domain.errors import NotFound, TierRequired, ValidationFailed
from domain.plan import Priority
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import USER, a_plan, a_user

TODAY = date(2026, 11, 25)


def schedule(
    stores: Stores, clock: FixedClock, start: date | None = None, days: int | None = None
) -> list[CalendarTask]:
    use_case = ScheduleCalendar(
        stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
    )
    request = (
        ScheduleCalendarRequest(USER, start)
        if days is None
        else ScheduleCalendarRequest(USER, start, days)
    )
    return list(use_case.execute(request))


def test_the_default_window_is_fourteen_days_from_today(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    tasks = schedule(stores, clock)

    dates = sorted({t.task_date for t in tasks})
    assert dates == [TODAY + timedelta(days=n) for n in range(14)]
    assert tasks == sorted(tasks, key=lambda t: t.sort_key)
    assert stores.calendar.between(USER, TODAY, TODAY + timedelta(days=30)) == tasks


def test_must_work_is_daily_and_should_work_on_even_plan_days(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    tasks = schedule(stores, clock, days=2)

    day_one = {t.priority for t in tasks if t.task_date == TODAY}
    day_two = {t.priority for t in tasks if t.task_date == TODAY + timedelta(days=1)}
    assert day_one == {Priority.MUST}
    assert day_two == {Priority.MUST, Priority.SHOULD}


def test_every_scheduled_date_gets_a_progress_item_counting_its_tasks(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    tasks = schedule(stores, clock, days=3)

    for offset in range(3):
        day = TODAY + timedelta(days=offset)
        item = stores.progress.get(USER, day)
        assert item is not None
        assert item.tasks_total == sum(1 for t in tasks if t.task_date == day)
        assert (item.tasks_completed, item.completion_percentage, item.streak) == (0, 0, 0)


def test_scheduling_the_same_window_twice_creates_nothing_and_changes_no_progress(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)
    first = schedule(stores, clock)
    progress_before = stores.progress.between(USER, TODAY, TODAY + timedelta(days=30))
    clock.advance(timedelta(minutes=5))

    second = schedule(stores, clock)

    assert second == first
    assert stores.calendar.between(USER, TODAY, TODAY + timedelta(days=30)) == first
    assert stores.progress.between(USER, TODAY, TODAY + timedelta(days=30)) == progress_before


def test_an_overlapping_window_adds_only_the_new_dates(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)
    first = schedule(stores, clock, days=3)

    second = schedule(stores, clock, start=TODAY + timedelta(days=2), days=3)

    assert [t for t in second if t.task_date == TODAY + timedelta(days=2)] == [
        t for t in first if t.task_date == TODAY + timedelta(days=2)
    ]
    stored = stores.calendar.between(USER, TODAY, TODAY + timedelta(days=30))
    assert len(stored) == len({(t.task_date, t.task_id) for t in [*first, *second]})


def test_plan_day_one_is_the_plans_creation_date_in_the_users_time_zone(
    stores: Stores, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))  # already the 26th on Kiritimati (+14)
    a_user(stores, clock, timezone="Pacific/Kiritimati")
    a_plan(stores, clock)

    tasks = schedule(stores, clock, days=2)

    local_today = date(2026, 11, 26)
    assert min(t.task_date for t in tasks) == local_today
    assert {t.priority for t in tasks if t.task_date == local_today} == {Priority.MUST}


def test_a_window_may_start_yesterday_and_dates_before_the_plan_get_nothing(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    tasks = schedule(stores, clock, start=TODAY - timedelta(days=1), days=2)

    assert {t.task_date for t in tasks} == {TODAY}
    assert stores.progress.get(USER, TODAY - timedelta(days=1)) is None


@pytest.mark.parametrize("offset", [-2, 366])
def test_a_window_starting_before_yesterday_or_over_a_year_ahead_is_refused(
    stores: Stores, clock: FixedClock, offset: int
) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    with pytest.raises(ValidationFailed):
        schedule(stores, clock, start=TODAY + timedelta(days=offset))


def test_a_window_may_start_a_year_ahead(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    tasks = schedule(stores, clock, start=TODAY + timedelta(days=365), days=1)

    assert {t.task_date for t in tasks} == {TODAY + timedelta(days=365)}


@pytest.mark.parametrize("days", [0, 57])
def test_a_window_of_zero_or_over_fifty_six_days_is_refused(
    stores: Stores, clock: FixedClock, days: int
) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    with pytest.raises(ValidationFailed):
        schedule(stores, clock, days=days)


def test_a_window_of_fifty_six_days_is_accepted(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    a_plan(stores, clock)

    tasks = schedule(stores, clock, days=56)

    assert max(t.task_date for t in tasks) == TODAY + timedelta(days=55)


def test_without_an_active_plan_scheduling_is_not_found(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)

    with pytest.raises(NotFound):
        schedule(stores, clock)


def test_a_free_user_cannot_schedule(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)

    with pytest.raises(TierRequired):
        schedule(stores, clock)


def test_an_unknown_user_cannot_schedule(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        schedule(stores, clock)
