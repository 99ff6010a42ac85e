"""Schedule the active plan onto the calendar over a window of dates (SPEC.md 6 and 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.progress_sync import (
    SCHEDULE_AHEAD_DAYS,
    chain_from,
    counts_by_date,
    guarded_items,
    recount,
)
from application.retry import retry_on_conflict
from domain.calendar import DEFAULT_WINDOW_DAYS, CalendarTask, schedule, validate_window
from domain.errors import NotFound, ValidationFailed
from domain.plan import Plan, active_of
from domain.user import User, local_today, require_plan_features
from ports.calendar import CalendarRepository
from ports.clock import Clock
from ports.plans import PlanRepository
from ports.progress import ProgressRepository
from ports.snapshots import SnapshotReader, SnapshotRequest


@dataclass(frozen=True, slots=True)
class ScheduleCalendarRequest:
    """`start_date` None means the user's today."""

    user_id: str
    start_date: date | None = None
    days: int = DEFAULT_WINDOW_DAYS


class ScheduleCalendar:
    """Create the active plan's missing tasks of a window and the progress of their dates.

    Rules enforced:
    - the user exists (NOT_FOUND), is on basic or higher (TIER_REQUIRED) and has an active plan
      (NOT_FOUND);
    - the window has 1..56 days and starts between the user's yesterday and 365 days after today
      (VALIDATION_ERROR; decision 076);
    - plan day 1 is the plan's creation date in the user's time zone; `must` exercises daily,
      `should` ones on even plan days;
    - existing tasks are kept, so scheduling a window twice creates nothing and changes nothing;
    - every date of the window with tasks has a progress item counting all of its tasks, and the
      streaks from the window on are recomputed;
    - tasks and progress are written only while the plan they come from is still the active
      one and the progress items are as read (a conflict re-reads and decides again).
    Returns every task of the window, by date then task id.
    """

    def __init__(
        self,
        snapshots: SnapshotReader,
        plans: PlanRepository,
        calendar: CalendarRepository,
        progress: ProgressRepository,
        clock: Clock,
    ) -> None:
        self._snapshots = snapshots
        self._plans = plans
        self._calendar = calendar
        self._progress = progress
        self._clock = clock

    def execute(self, request: ScheduleCalendarRequest) -> Sequence[CalendarTask]:
        days = validate_window(request.days)
        # Profile and plans together: one Query where the store keeps them side by side.
        seen = self._snapshots.read(SnapshotRequest(request.user_id, user=True, plans=True))
        user = seen.user
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        today = local_today(user, self._clock.now())
        start = today if request.start_date is None else request.start_date
        if not today - timedelta(days=1) <= start <= today + timedelta(days=SCHEDULE_AHEAD_DAYS):
            raise ValidationFailed(
                f"the window starts between yesterday and {SCHEDULE_AHEAD_DAYS} days from today"
            )
        read_with_profile = [active_of(seen.plans)]

        def attempt() -> list[CalendarTask]:
            # Read again on every later try: a plan replaced meanwhile fails the write's plan
            # guard, and the next try schedules the new one.
            if read_with_profile:
                return self._schedule(user, read_with_profile.pop(), start, days)
            return self._schedule(user, self._plans.get_active(user.user_id), start, days)

        return retry_on_conflict(attempt)

    def _schedule(
        self, user: User, plan: Plan | None, start: date, days: int
    ) -> list[CalendarTask]:
        if plan is None:
            raise NotFound("no active plan to schedule")
        now = self._clock.now()
        plan_start = local_today(user, plan.created_at)
        wanted = schedule(user.user_id, plan, plan_start, start, days, now)
        last = start + timedelta(days=days - 1)
        # Progress before tasks: the counts below come from tasks at least as new (decision 141).
        chain = chain_from(self._progress, user.user_id, start, last, local_today(user, now))
        existing = list(self._calendar.between(user.user_id, start, last))
        known = {(task.task_date, task.task_id) for task in existing}
        new = [task for task in wanted if (task.task_date, task.task_id) not in known]
        window = sorted([*existing, *new], key=lambda task: task.sort_key)
        changes = recount(chain, user.user_id, counts_by_date(window), now)
        if new or changes.changed:
            progress = guarded_items(changes, {task.task_date for task in new})
            self._calendar.add_tasks(new, progress, while_active=plan)
        return window
