"""Complete or un-complete a calendar task, and update progress and streaks (SPEC.md 6 and 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.progress_sync import counts_by_date, horizon, recount
from application.retry import retry_on_conflict
from domain.calendar import CalendarTask, check_completion_window, set_completed
from domain.errors import ConcurrentModification, NotFound
from domain.progress import Progress
from domain.user import local_today, require_plan_features
from ports.calendar import CalendarRepository
from ports.clock import Clock
from ports.progress import ProgressChain
from ports.snapshots import SnapshotReader, SnapshotRequest


@dataclass(frozen=True, slots=True)
class SetTaskCompletionRequest:
    user_id: str
    task_date: date
    task_id: str
    completed: bool


@dataclass(frozen=True, slots=True)
class TaskCompletion:
    """The task as stored, and the progress of its date."""

    task: CalendarTask
    progress: Progress


class SetTaskCompletion:
    """Mark a task done or not done.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - the task exists (NOT_FOUND);
    - only tasks of the user's today or yesterday move (FUTURE_TASK, TOO_LATE; decision 035);
    - asking for the state the task has writes nothing;
    - the date's progress counts its tasks, and streaks are recomputed from that date on, so
      changing yesterday updates today's streak; task and progress are written atomically,
      conditioned on the task's state as read and the progress items' revisions, so a
      concurrent change of either re-reads and decides again (no count is lost or doubled).
    Profile, task and the progress from the task's date on are read with one snapshot: one
    Query where the store keeps a user's days next to the profile, else a batch read and a
    query (decisions 115, 118, 125); the date's counts move from its progress item by the one
    task.
    """

    def __init__(
        self,
        snapshots: SnapshotReader,
        calendar: CalendarRepository,
        clock: Clock,
    ) -> None:
        self._snapshots = snapshots
        self._calendar = calendar
        self._clock = clock

    def execute(self, request: SetTaskCompletionRequest) -> TaskCompletion:
        return retry_on_conflict(lambda: self._set(request))

    def _set(self, request: SetTaskCompletionRequest) -> TaskCompletion:
        now = self._clock.now()
        # Read with the profile, before the user's today is known: up to the latest horizon
        # of any time zone's today, past which no date has tasks or progress.
        latest = horizon(now.date() + timedelta(days=1))
        seen = self._snapshots.read(
            SnapshotRequest(
                request.user_id,
                user=True,
                task=(request.task_date, request.task_id),
                progress_chain=(request.task_date, latest),
            )
        )
        user, task, chain = seen.user, seen.task, seen.chain
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        if task is None:
            raise NotFound("task not found")
        today = local_today(user, now)
        check_completion_window(task.task_date, today)
        updated = set_completed(task, request.completed, now)
        assert chain is not None
        counts = {task.task_date: self._counts(task, updated, chain)}
        changes = recount(chain, user.user_id, counts, now)
        day = task.task_date
        written: Sequence[Progress] = ()
        if updated is not task or changes.changed:
            # An unchanged task with changed progress only repairs a progress item out of step.
            written = self._calendar.set_completed(
                updated, changes.changed, was_completed=task.completed
            )
        stored = {item.date: item for item in written}.get(day) or changes.by_date.get(day)
        if stored is None:
            # The date's tasks were gone when counted (an erasure, a new plan): read again.
            raise ConcurrentModification("the task's date changed while it was read")
        return TaskCompletion(updated, stored)

    def _counts(
        self, task: CalendarTask, updated: CalendarTask, chain: ProgressChain
    ) -> tuple[int, int]:
        """(total, completed) of the task's date once `updated` is stored.

        Every write of a task writes its date's progress item in the same transaction, so the
        item's counts are the date's; only a date without one (or out of step) is counted.
        """
        item = next((p for p in chain.items if p.date == task.task_date), None)
        if item is not None:
            completed = item.tasks_completed + int(updated.completed) - int(task.completed)
            if 0 <= completed <= item.tasks_total and item.tasks_total > 0:
                return item.tasks_total, completed
        tasks = self._calendar.on_date(task.user_id, task.task_date)
        after = [updated if t.task_id == task.task_id else t for t in tasks]
        return counts_by_date(after).get(task.task_date, (0, 0))
