"""Complete or un-complete a calendar task, and update progress and streaks (SPEC.md 6 and 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.progress_sync import counts_by_date, recount_progress
from application.retry import retry_on_conflict
from domain.calendar import CalendarTask, check_completion_window, set_completed
from domain.errors import NotFound
from domain.progress import Progress
from domain.user import User, local_today, require_plan_features
from ports.calendar import CalendarRepository
from ports.clock import Clock
from ports.progress import ProgressRepository
from ports.users import UserRepository


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
      changing yesterday updates today's streak; task and progress are written atomically.
    """

    def __init__(
        self,
        users: UserRepository,
        calendar: CalendarRepository,
        progress: ProgressRepository,
        clock: Clock,
    ) -> None:
        self._users = users
        self._calendar = calendar
        self._progress = progress
        self._clock = clock

    def execute(self, request: SetTaskCompletionRequest) -> TaskCompletion:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        return retry_on_conflict(lambda: self._set(user, request))

    def _set(self, user: User, request: SetTaskCompletionRequest) -> TaskCompletion:
        now = self._clock.now()
        task = self._calendar.get(user.user_id, request.task_date, request.task_id)
        if task is None:
            raise NotFound("task not found")
        today = local_today(user, now)
        check_completion_window(task.task_date, today)
        updated = set_completed(task, request.completed, now)
        tasks = self._calendar.between(user.user_id, task.task_date, task.task_date)
        after = [updated if t.task_id == task.task_id else t for t in tasks]
        counts = {task.task_date: counts_by_date(after).get(task.task_date, (0, 0))}
        changes = recount_progress(self._progress, user.user_id, counts, today, now)
        if updated is not task or changes.changed:
            # An unchanged task with changed progress only repairs a progress item out of step.
            self._calendar.set_completed(updated, changes.changed)
            stored = self._progress.get(user.user_id, task.task_date)
        else:
            stored = changes.by_date.get(task.task_date)
        return TaskCompletion(updated, stored or changes.by_date[task.task_date])
