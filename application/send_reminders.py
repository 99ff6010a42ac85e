"""The daily reminder job: one event per user with uncompleted tasks on a date (SPEC.md 6, 10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ports.calendar import CalendarRepository
from ports.events import DomainEvent, EventPublisher

REMINDER_EVENT = "TaskReminder"
PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class SendRemindersRequest:
    task_date: date


@dataclass(frozen=True, slots=True)
class RemindersSent:
    users: int
    failed: int


def reminder_event_id(task_date: date, user_id: str) -> str:
    """Stable per user and date, so a re-run of the job can be deduplicated downstream."""
    return f"reminder:{task_date.isoformat()}:{user_id}"


class SendReminders:
    """Publishes a `TaskReminder` for every user with an uncompleted task on the date.

    Rules enforced:
    - Users come from the date index, page by page; no table is scanned.
    - One event per user, however many open tasks they have or pages they appear on.
    - Event ids are derived from (date, user): running the job twice publishes the same ids.
    - Events that could not be published are counted, not retried here (the job can re-run).
    """

    def __init__(self, calendar: CalendarRepository, events: EventPublisher) -> None:
        self._calendar = calendar
        self._events = events

    def execute(self, request: SendRemindersRequest) -> RemindersSent:
        seen: set[str] = set()
        failed = 0
        cursor: str | None = None
        while True:
            users, cursor = self._calendar.users_with_open_tasks(
                request.task_date, limit=PAGE_SIZE, cursor=cursor
            )
            fresh = [user for user in dict.fromkeys(users) if user not in seen]
            seen.update(fresh)
            if fresh:
                failed += len(
                    self._events.publish([_reminder(request.task_date, u) for u in fresh])
                )
            if cursor is None:
                return RemindersSent(users=len(seen), failed=failed)


def _reminder(task_date: date, user_id: str) -> DomainEvent:
    return DomainEvent(
        event_id=reminder_event_id(task_date, user_id),
        name=REMINDER_EVENT,
        detail={"user_id": user_id, "task_date": task_date.isoformat()},
    )
