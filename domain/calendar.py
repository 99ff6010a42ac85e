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

from domain.errors import FutureTask, TooLate, ValidationFailed
from domain.plan import Plan, Priority

DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 56

# Fixed forever: changing it would give every existing task a new id and duplicate the calendar.
TASK_ID_NAMESPACE = uuid.UUID("6f0c3d2e-5b1a-4c8e-9f47-2a1d7e6b9c30")


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

    def __post_init__(self) -> None:
        if self.completed != (self.completed_at is not None):
            raise ValidationFailed("completed_at is set exactly when the task is completed")
        if self.created_at.tzinfo is None or (
            self.completed_at is not None and self.completed_at.tzinfo is None
        ):
            raise ValueError("timestamps must be timezone-aware")

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

    Dates before the plan start have no plan day and are skipped (decision 033).
    """
    validate_window(days)
    if plan.user_id != user_id:
        raise ValueError("the plan belongs to another user")
    tasks: list[CalendarTask] = []
    for offset in range(days):
        task_date = start + timedelta(days=offset)
        day_number = plan_day_number(plan_start, task_date)
        if day_number < 1:
            continue
        phase = plan.phase_on_day(day_number)
        for exercise_id in sorted(set(phase.exercises)):
            priority = plan.exercise(exercise_id).priority
            if is_due_on_day(priority, day_number):
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
                    )
                )
    return tasks


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
