"""The calendar-tasks table and its date view, in memory, written with the dates' progress."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from adapters.memory.database import (
    InMemoryDatabase,
    Transaction,
    as_stored,
    decode_cursor,
    encode_cursor,
    next_revision,
    page_of,
    require_limit,
    require_revision,
    require_same,
)
from domain.calendar import CalendarTask
from domain.errors import ConcurrentModification, NotFound
from domain.plan import Plan
from domain.progress import Progress

_Day = tuple[str, date]


def _key(task: CalendarTask) -> tuple[str, str]:
    return (task.user_id, task.sort_key)


class InMemoryCalendarRepository:
    """A user's daily tasks, by date and by date range, and the cross-user date view."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def get(self, user_id: str, task_date: date, task_id: str) -> CalendarTask | None:
        """One task, or None."""
        with self._db.lock:
            return self._db.calendar_tasks.get((user_id, f"{task_date:%Y-%m-%d}#{task_id}"))

    def on_date(self, user_id: str, task_date: date) -> Sequence[CalendarTask]:
        """The user's tasks of one date, by task id."""
        return self.between(user_id, task_date, task_date)

    def between(self, user_id: str, first: date, last: date) -> Sequence[CalendarTask]:
        """The user's tasks dated first..last inclusive, by date then task id."""
        with self._db.lock:
            found = [
                t
                for (owner, _), t in self._db.calendar_tasks.items()
                if owner == user_id and first <= t.task_date <= last
            ]
        return sorted(found, key=lambda t: t.sort_key)

    def add_tasks(
        self,
        tasks: Sequence[CalendarTask],
        progress: Sequence[Progress],
        *,
        while_active: Plan | None = None,
    ) -> None:
        """Create missing tasks and write the progress of their dates, one date at a time.

        Dates are written oldest first, each atomically; a failed progress guard stops there
        with ConcurrentModification, the earlier dates written (decision 063). With
        `while_active`, each date only while that plan is stored and active.
        """
        for tx, day_tasks in self._by_day(tasks, progress, while_active):
            for task in day_tasks:
                tx.put_if_absent(self._db.calendar_tasks, _key(task), as_stored(task))
            tx.commit()

    def remove_tasks(
        self,
        tasks: Sequence[CalendarTask],
        progress: Sequence[Progress],
        *,
        while_active: Plan | None = None,
    ) -> None:
        """Delete still-uncompleted tasks and write the progress of their dates, date by date.

        A task completed (or deleted) meanwhile is left as it is (decision 063).
        """
        for tx, day_tasks in self._by_day(tasks, progress, while_active):
            for task in day_tasks:
                tx.delete(self._db.calendar_tasks, _key(task), only_if=_is_open)
            tx.commit()

    def set_completed(
        self,
        task: CalendarTask,
        progress: Sequence[Progress],
        *,
        was_completed: bool | None = None,
    ) -> Sequence[Progress]:
        """Write the task's completion and the progress items it changes, all or nothing,
        if the stored task is still `was_completed`; returns the progress items as stored."""
        db = self._db
        key = _key(task)
        was = not task.completed if was_completed is None else was_completed
        tx = db.transaction()
        tx.require(lambda: key in db.calendar_tasks, lambda: NotFound("no such task"))
        # The progress delta was decided from this state: another one means a lost update.
        tx.require(
            lambda: db.calendar_tasks[key].completed == was,
            lambda: ConcurrentModification(f"task {task.task_id} moved since it was read"),
        )
        completed_at = as_stored(task).completed_at
        tx.update(
            db.calendar_tasks,
            key,
            lambda stored: dataclasses.replace(
                stored, completed=task.completed, completed_at=completed_at
            ),
        )
        stored = [self._write_progress(tx, item) for item in progress]
        tx.commit()
        return stored

    def users_with_open_tasks(
        self, task_date: date, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[str], str | None]:
        """Ids of users with an uncompleted task on `task_date`, by user id, page by page."""
        require_limit(limit)
        day = task_date.isoformat()
        after = None
        if cursor is not None:
            key = decode_cursor(cursor, {"task_date": str, "user_id": str})
            require_same(key, "task_date", day)
            after = (key["user_id"],)
        with self._db.lock:
            owners = {
                owner
                for (owner, _), t in self._db.calendar_tasks.items()
                if t.task_date == task_date and not t.completed
            }
        items, last = page_of(sorted(owners), lambda owner: (owner,), after, limit)
        next_cursor = None
        if last is not None:
            next_cursor = encode_cursor({"task_date": day, "user_id": last})
        return items, next_cursor

    def _by_day(
        self, tasks: Sequence[CalendarTask], progress: Sequence[Progress], plan: Plan | None
    ) -> list[tuple[Transaction, list[CalendarTask]]]:
        """One transaction per user and date, oldest first, with that date's progress guarded."""
        tasks_of: dict[_Day, list[CalendarTask]] = defaultdict(list)
        for task in tasks:
            tasks_of[(task.user_id, task.task_date)].append(task)
        progress_of: dict[_Day, list[Progress]] = defaultdict(list)
        for item in progress:
            progress_of[(item.user_id, item.date)].append(item)
        days = sorted(set(tasks_of) | set(progress_of), key=lambda d: (d[1], d[0]))
        batches = []
        for day in days:
            tx = self._db.transaction()
            if plan is not None:
                self._require_active(tx, plan)
            for item in progress_of[day]:
                self._write_progress(tx, item)
            batches.append((tx, tasks_of[day]))
        return batches

    def _require_active(self, tx: Transaction, plan: Plan) -> None:
        plans = self._db.plans
        key = (plan.user_id, plan.plan_id)
        tx.require(
            lambda: key in plans and plans[key].is_active,
            lambda: ConcurrentModification("the plan is no longer active"),
        )

    def _write_progress(self, tx: Transaction, item: Progress) -> Progress:
        key = (item.user_id, item.date.isoformat())
        require_revision(tx, self._db.progress, key, item)
        stored = as_stored(next_revision(item))
        tx.put(self._db.progress, key, stored)
        return stored


def _is_open(task: CalendarTask) -> bool:
    return not task.completed
