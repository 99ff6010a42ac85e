"""The calendar-tasks table, written together with the progress of the dates it touches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, runtime_checkable

from domain.calendar import CalendarTask
from domain.plan import Plan
from domain.progress import Progress


@runtime_checkable
class CalendarRepository(Protocol):
    """A user's daily tasks, by date and by date range, and the cross-user date view."""

    def get(self, user_id: str, task_date: date, task_id: str) -> CalendarTask | None:
        """One task, or None."""
        ...

    def on_date(self, user_id: str, task_date: date) -> Sequence[CalendarTask]:
        """The user's tasks of one date, by task id (sort key prefix `YYYY-MM-DD#`)."""
        ...

    def between(self, user_id: str, first: date, last: date) -> Sequence[CalendarTask]:
        """The user's tasks dated first..last inclusive, by date then task id."""
        ...

    def add_tasks(
        self,
        tasks: Sequence[CalendarTask],
        progress: Sequence[Progress],
        *,
        while_active: Plan | None = None,
    ) -> None:
        """Create tasks that do not exist yet and write the progress of their dates.

        Existing tasks are left untouched (scheduling twice creates nothing new). Each date's
        tasks and its progress item are written atomically; progress writes are revision-guarded.
        Callers pass the tasks they found missing: the store does not look them up first.
        With `while_active`, every write is also conditioned on that plan being stored and
        active (ConcurrentModification otherwise): tasks are decided from the active plan.
        """
        ...

    def remove_tasks(
        self,
        tasks: Sequence[CalendarTask],
        progress: Sequence[Progress],
        *,
        while_active: Plan | None = None,
    ) -> None:
        """Delete tasks (only while still uncompleted) and write the progress of their dates;
        with `while_active`, only while that plan is stored and active (as add_tasks)."""
        ...

    def set_completed(
        self,
        task: CalendarTask,
        progress: Sequence[Progress],
        *,
        was_completed: bool | None = None,
    ) -> Sequence[Progress]:
        """Write the task's completion and the progress items it changes, all or nothing.

        The write is conditioned on the stored task being `was_completed` (the state the caller
        decided from; by default the opposite of `task.completed`, i.e. a change): another
        state is ConcurrentModification, a missing task NotFound.

        Returns the progress items as stored (revision + 1), as `ProgressRepository.get` would
        read them back.
        """
        ...

    def users_with_open_tasks(
        self, task_date: date, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[str], str | None]:
        """Ids of users with an uncompleted task on `task_date` (date-index), page by page.

        A user with several open tasks may appear on more than one page; callers deduplicate.
        """
        ...
