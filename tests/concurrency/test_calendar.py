"""GeneratePlan, ScheduleCalendar and SetTaskCompletion raced against themselves and each other:
one active plan, open tasks only of it, and every date's progress equal to its tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from adapters.memory.clock import FixedClock
from application.generate_plan import GeneratePlan, GeneratePlanRequest
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from application.set_task_completion import SetTaskCompletion, SetTaskCompletionRequest
from domain.calendar import CalendarTask
from domain.errors import NotFound
from tests.concurrency.invariants import plan_violations, progress_violations
from tests.concurrency.setup import basic_user, no_errors
from tests.integration.racing import all_at_once
from tests.support.factories import DAY0, T0
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import a_completed_assessment

NOW = T0 + timedelta(hours=1)
DAYS = 3


class Calendar:
    """The plan and calendar use cases of one backend."""

    def __init__(self, stores: Stores, clock: FixedClock) -> None:
        self.generate = GeneratePlan(
            stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
        )
        self.schedule = ScheduleCalendar(
            stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
        )
        self.complete = SetTaskCompletion(stores.snapshots, stores.calendar, clock)

    def planned(self, stores: Stores, user_id: str) -> list[CalendarTask]:
        """A basic user with a generated plan scheduled from today."""
        basic_user(stores, user_id)
        a_completed_assessment(stores, NOW - timedelta(days=1), user_id=user_id)
        self.generate.execute(GeneratePlanRequest(user_id))
        return list(self.schedule.execute(ScheduleCalendarRequest(user_id, days=DAYS)))

    def scheduling(self, user_id: str, days: int = DAYS) -> Callable[[], object]:
        return lambda: self.schedule.execute(ScheduleCalendarRequest(user_id, days=days))

    def generating(self, user_id: str) -> Callable[[], object]:
        return lambda: self.generate.execute(GeneratePlanRequest(user_id))

    def setting(self, task: CalendarTask, completed: bool) -> Callable[[], object]:
        request = SetTaskCompletionRequest(task.user_id, task.task_date, task.task_id, completed)
        return lambda: self.complete.execute(request)


def test_scheduling_overlapping_windows_while_tasks_move_keeps_progress_exact(
    stores: Stores, runs: range
) -> None:
    calendar = Calendar(stores, FixedClock(NOW))

    def race(run: int) -> None:
        user_id = f"scheduler-{run}"
        tasks = calendar.planned(stores, user_id)
        today = [t for t in tasks if t.task_date == DAY0]
        callers = [
            calendar.scheduling(user_id, DAYS + 2),
            calendar.scheduling(user_id, DAYS + 1),
            calendar.setting(today[0], True),
            calendar.setting(today[0], False),
            calendar.setting(today[-1], True),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes) == []
        assert progress_violations(stores, user_id, DAY0, DAY0 + timedelta(days=DAYS + 2)) == []

    for run in runs:
        race(run)


def test_new_plans_while_scheduling_and_completing_leave_one_plan_and_exact_progress(
    stores: Stores, runs: range
) -> None:
    calendar = Calendar(stores, FixedClock(NOW))

    def race(run: int) -> None:
        user_id = f"planner-{run}"
        today = [t for t in calendar.planned(stores, user_id) if t.task_date == DAY0]
        callers = [
            calendar.generating(user_id),
            calendar.generating(user_id),
            calendar.scheduling(user_id),
            calendar.setting(today[0], True),
            calendar.setting(today[-1], True),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        # A task of the replaced plan removed before it was completed is NOT_FOUND.
        assert no_errors(outcomes, NotFound) == []
        assert plan_violations(stores, user_id, DAY0) == []
        assert progress_violations(stores, user_id, DAY0, DAY0 + timedelta(days=DAYS)) == []

    for run in runs:
        race(run)
