"""Calendar tasks: scheduling a plan day by day, and completing tasks (SPEC.md section 6).

Scheduling is a pure function of plan, plan start and window, and task ids are derived from
plan, date and exercise, so scheduling a window twice, or two overlapping windows, yields the same
tasks for the same dates and the store's conditional put creates nothing new.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.catalog import test_by_id
from domain.dosage import Dosage
from domain.errors import DomainError, FutureTask, TooLate, ValidationFailed
from domain.exercises import exercise_by_id
from domain.plan import Plan, Priority

DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 56

# Fixed forever: changing it would give every existing task a new id and duplicate the calendar.
TASK_ID_NAMESPACE = uuid.UUID("6f0c3d2e-5b1a-4c8e-9f47-2a1d7e6b9c30")

RETEST_PREFIX = "retest-"


def retest_exercise_id(test_id: int) -> str:
    """The `exercise_id` of the task that asks for test `test_id` again: `retest-<test_id>`."""
    return f"{RETEST_PREFIX}{test_id}"


def retested_test(exercise_id: str) -> int | None:
    """The test a retest task asks for, or None when the task is an exercise."""
    if not exercise_id.startswith(RETEST_PREFIX):
        return None
    number = exercise_id.removeprefix(RETEST_PREFIX)
    return int(number) if number.isdecimal() else None


@dataclass(frozen=True, slots=True)
class CalendarTask:
    """One exercise of the plan to do on one date."""

    user_id: str
    task_date: date
    task_id: str
    plan_id: str
    exercise_id: str
    priority: Priority
    completed: bool
    completed_at: datetime | None
    created_at: datetime
    # The day's prescription; None on retests and on tasks stored before dosage (decision 175).
    dosage: Dosage | None = None

    def __post_init__(self) -> None:
        if self.is_retest and self.dosage is not None:
            raise ValidationFailed("a retest task has no dosage")
        if self.completed != (self.completed_at is not None):
            raise ValidationFailed("completed_at is set exactly when the task is completed")
        if self.created_at.tzinfo is None or (
            self.completed_at is not None and self.completed_at.tzinfo is None
        ):
            raise ValueError("timestamps must be timezone-aware")

    @property
    def retest_of(self) -> int | None:
        """The test this task asks the user to take again, or None for an exercise."""
        return retested_test(self.exercise_id)

    @property
    def is_retest(self) -> bool:
        return self.retest_of is not None

    @property
    def sort_key(self) -> str:
        """`YYYY-MM-DD#task_id`: a user's tasks sorted by date, one date read by prefix."""
        return f"{self.task_date:%Y-%m-%d}#{self.task_id}"


def validate_window(days: int) -> int:
    """The window length when it lies in 1..56 days, VALIDATION_ERROR otherwise."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise ValidationFailed(f"days must lie in 1..{MAX_WINDOW_DAYS}, got {days}")
    return days


def task_id_for(plan_id: str, task_date: date, exercise_id: str) -> str:
    """The task's UUID, the same every time for the same plan, date and exercise (decision 034)."""
    return str(uuid.uuid5(TASK_ID_NAMESPACE, f"{plan_id}#{task_date:%Y-%m-%d}#{exercise_id}"))


def plan_day_number(plan_start: date, d: date) -> int:
    """The plan day of a date: the start date is day 1 (dates before it give 0 or less)."""
    return (d - plan_start).days + 1


def is_due_on_day(priority: Priority, day_number: int) -> bool:
    """`must` exercises are due every day, `should` exercises on even plan days."""
    return priority is Priority.MUST or day_number % 2 == 0


def schedule(
    user_id: str, plan: Plan, plan_start: date, start: date, days: int, now: datetime
) -> list[CalendarTask]:
    """The plan's tasks for the dates [start, start + days), ordered by date then exercise_id.

    Each exercise task carries the day's dosage (`Plan.dosage_on_day`); the last day of each
    corrective phase also has one `must` retest task per test the plan was built from.
    Dates before the plan start have no plan day and are skipped (decision 033).
    """
    validate_window(days)
    if plan.user_id != user_id:
        raise ValueError("the plan belongs to another user")
    retest_days = set(plan.retest_days())
    tasks: list[CalendarTask] = []
    for offset in range(days):
        task_date = start + timedelta(days=offset)
        day_number = plan_day_number(plan_start, task_date)
        if day_number < 1:
            continue
        due: list[tuple[str, Priority, Dosage | None]] = []
        for exercise_id in set(plan.phase_on_day(day_number).exercises):
            priority = plan.exercise(exercise_id).priority
            if is_due_on_day(priority, day_number):
                due.append((exercise_id, priority, plan.dosage_on_day(exercise_id, day_number)))
        if day_number in retest_days:
            due.extend(
                (retest_exercise_id(test_id), Priority.MUST, None)
                for test_id in plan.based_on_tests
            )
        for exercise_id, priority, dosage in sorted(due, key=lambda entry: entry[0]):
            tasks.append(
                CalendarTask(
                    user_id=user_id,
                    task_date=task_date,
                    task_id=task_id_for(plan.plan_id, task_date, exercise_id),
                    plan_id=plan.plan_id,
                    exercise_id=exercise_id,
                    priority=priority,
                    completed=False,
                    completed_at=None,
                    created_at=now,
                    dosage=dosage,
                )
            )
    return tasks


@dataclass(frozen=True, slots=True)
class TaskDetails:
    """What a person reads on a task: the exercise's (or the retested test's) name and how."""

    name: str
    description: str


def task_details(task: CalendarTask) -> TaskDetails:
    """The name and description of the task's exercise, or of the test a retest asks for.

    Both come from domain data (library and catalog), so a calendar read needs no plan read.
    An id neither knows (a library exercise retired later) shows its id (decision 176).
    """
    test_id = task.retest_of
    try:
        if test_id is not None:
            test = test_by_id(test_id)
            return TaskDetails(
                test.name,
                f"Retest: film the {test.name} again; the result shows how far the plan has "
                "moved you.",
            )
        exercise = exercise_by_id(task.exercise_id)
    except DomainError:
        return TaskDetails(task.exercise_id, "")
    return TaskDetails(exercise.name, exercise.description)


def open_retest_on(tasks: Iterable[CalendarTask], test_id: int, day: date) -> CalendarTask | None:
    """The open retest task of test `test_id` dated `day`, or None (the first by task id when
    a replaced plan's task is still there for a moment)."""
    found = sorted(
        (t for t in tasks if t.task_date == day and t.retest_of == test_id and not t.completed),
        key=lambda t: t.task_id,
    )
    return found[0] if found else None


def check_completion_window(task_date: date, today: date) -> None:
    """A task can be completed or un-completed today or yesterday only (the user's dates)."""
    if task_date > today:
        raise FutureTask(f"the task is on {task_date:%Y-%m-%d}, after today")
    if task_date < today - timedelta(days=1):
        raise TooLate(f"the task is on {task_date:%Y-%m-%d}, before yesterday")


def set_completed(task: CalendarTask, completed: bool, now: datetime) -> CalendarTask:
    """The task completed (at `now`) or not; asking for the state it has returns it unchanged."""
    if task.completed == completed:
        return task
    return dataclasses.replace(task, completed=completed, completed_at=now if completed else None)


def tasks_removed_by_new_plan(
    tasks: Iterable[CalendarTask], new_plan_id: str, today: date
) -> list[CalendarTask]:
    """Other plans' open tasks from today on; completed and past tasks stay (decision 036)."""
    return [
        t for t in tasks if t.plan_id != new_plan_id and not t.completed and t.task_date >= today
    ]


def today_in(timezone_name: str, now: datetime) -> date:
    """The user's local date at `now` in an IANA time zone (decision 035)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(_zone(timezone_name)).date()


def _zone(name: str) -> tzinfo:
    # Same rule as domain.user.local_today (decision 041), so every use case agrees on "today":
    # the default needs no tz database, and a stored zone this machine lacks falls back to UTC.
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC
