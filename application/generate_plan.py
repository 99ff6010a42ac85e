"""Generate a correction plan and make it the user's only active plan (SPEC.md 5 and 6)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from application.progress_sync import chain_from, counts_by_date, guarded_items, horizon, recount
from application.retry import retry_on_conflict
from domain.calendar import tasks_removed_by_new_plan
from domain.errors import ConcurrentModification, NotFound
from domain.plan import LOOKBACK, Plan, active_of, build_plan, deactivate
from domain.user import User, local_today, require_plan_features
from ports.calendar import CalendarRepository
from ports.clock import Clock
from ports.plans import PlanRepository
from ports.progress import ProgressRepository
from ports.snapshots import SnapshotReader, SnapshotRequest

# Fixed forever: plan ids derive from it (decision 052), so changing it would fork every history.
PLAN_NAMESPACE = uuid.UUID("5626e568-3f8e-4303-afd7-8ec09464493a")

# Decision 052: one retry from a fresh read, so the loser of a race builds the next version.
ACTIVATION_ATTEMPTS = 2


def plan_id_for(user_id: str, version: int) -> str:
    """The id of the user's plan of this version: two generations of one version collide."""
    return str(uuid.uuid5(PLAN_NAMESPACE, f"{user_id}#{version}"))


@dataclass(frozen=True, slots=True)
class GeneratePlanRequest:
    user_id: str


class GeneratePlan:
    """Build a plan from the user's recent results, activate it, and clear the old plan's days.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - the plan uses the latest completed assessment of each test of the last 90 days
      (NO_ASSESSMENTS when there is none);
    - its version is the previous plan's + 1, its id derives from user and version, and it
      replaces the active plan in one atomic write: at most one active plan, even under races;
    - the old plan's uncompleted tasks from the user's today on are removed, with the progress
      of their dates; completed tasks and past days stay (decision 036); only while the new
      plan is still the active one, so a slower generation never clears a newer plan's days.
    The user, the recent completed attempts and the user's plans (the active one and the highest
    version) come from one snapshot read: one Query of the user's items where the store keeps
    them together, else a read and two queries (decision 124); a user who never had a plan has
    no plan's tasks, so the calendar is not read (decision 116).
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

    def execute(self, request: GeneratePlanRequest) -> Plan:
        activated = retry_on_conflict(
            lambda: self._activate(request.user_id), attempts=ACTIVATION_ATTEMPTS
        )
        user, plan, replaced = activated
        if replaced:
            self._remove_old_tasks(user, plan)
        return plan

    def _activate(self, user_id: str) -> tuple[User, Plan, bool]:
        """The user, the new active plan, and whether the user had any plan before it."""
        now = self._clock.now()
        seen = self._snapshots.read(
            SnapshotRequest(user_id, user=True, completed_since=now - LOOKBACK, plans=True)
        )
        user = seen.user
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        recent, plans = seen.completed, seen.plans  # plans: oldest version first
        previous = active_of(plans)
        # The highest version, active or not (e.g. restored data): never reuse a version.
        last_version = max((p.version for p in plans), default=None)
        version = 1 if last_version is None else last_version + 1
        plan_id = plan_id_for(user.user_id, version)
        plan = build_plan(user.user_id, plan_id, user.tier, recent, last_version, now)
        self._plans.activate(
            plan,
            None if previous is None else deactivate(previous, now),
            require_user=True,
        )
        return user, plan, bool(plans)

    def _remove_old_tasks(self, user: User, plan: Plan) -> None:
        try:
            self._remove_once(user, plan)
        except ConcurrentModification:
            # Another write won: decide again, unless a newer plan replaced this one meanwhile
            # (its own generation clears the calendar, and this one must not touch its tasks).
            def again() -> None:
                active = self._plans.get_active(user.user_id)
                if active is not None and active.plan_id == plan.plan_id:
                    self._remove_once(user, plan)

            retry_on_conflict(again)

    def _remove_once(self, user: User, plan: Plan) -> None:
        now = self._clock.now()
        today = local_today(user, now)
        # Progress before tasks: the counts below come from tasks at least as new (decision 141).
        chain = chain_from(self._progress, user.user_id, today, today, today)
        tasks = self._calendar.between(user.user_id, today, horizon(today))
        removed = tasks_removed_by_new_plan(tasks, plan.plan_id, today)
        if not removed:
            return
        gone = {(task.task_date, task.task_id) for task in removed}
        kept = [task for task in tasks if (task.task_date, task.task_id) not in gone]
        remaining = counts_by_date(kept)
        counts = {task.task_date: remaining.get(task.task_date, (0, 0)) for task in removed}
        changes = recount(chain, user.user_id, counts, now)
        progress = guarded_items(changes, counts)
        self._calendar.remove_tasks(removed, progress, while_active=plan)
