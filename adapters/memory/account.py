"""Export and erasure of everything stored about one user, in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from adapters.memory.database import InMemoryDatabase
from domain.assessment import Assessment
from domain.calendar import CalendarTask
from domain.dosage import Dosage
from domain.limits import UserLimits
from domain.plan import Plan
from domain.progress import Progress
from domain.subscription import Subscription
from domain.time import iso
from domain.user import User

Item = dict[str, Any]
V = TypeVar("V")


class InMemoryAccountStore:
    """Every item of a user across the seven user tables, as JSON-ready dictionaries."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def export(self, user_id: str) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        """Every item of the user, by table name, each table in key order."""
        db = self._db
        with db.lock:
            user = db.users.get(user_id)
            limits = db.limits.get(user_id)
            return {
                "users": [user_item(user)] if user is not None else [],
                "subscriptions": [subscription_item(s) for s in _owned(db.subscriptions, user_id)],
                "assessments": [assessment_item(a) for a in _owned(db.assessments, user_id)],
                "plans": [plan_item(p) for p in _owned(db.plans, user_id)],
                "calendar-tasks": [task_item(t) for t in _owned(db.calendar_tasks, user_id)],
                "progress": [progress_item(p) for p in _owned(db.progress, user_id)],
                "user-limits": [limits_item(limits)] if limits is not None else [],
            }

    def erase(
        self,
        user_id: str,
        email: str | None,
        *,
        before_deleting: Callable[[Sequence[Subscription]], None] | None = None,
    ) -> int:
        """Delete every item of the user and the email reservation; how many items went.

        The reservation counts as an item (it is one in the users table). Without `email`, the
        stored user's email is freed. `before_deleting` sees the user's subscriptions first.
        """
        db = self._db
        if before_deleting is not None:
            # Outside the lock: it talks to the payment provider.
            with db.lock:
                subscriptions = _owned(db.subscriptions, user_id)
            before_deleting(subscriptions)
        with db.lock:
            user = db.users.get(user_id)
            address = email if email is not None else (user.email if user else None)
            deleted = 0
            if address is not None and db.email_reservations.get(address) == user_id:
                del db.email_reservations[address]
                deleted += 1
            for single in (db.users, db.limits):
                if single.pop(user_id, None) is not None:
                    deleted += 1
            deleted += _delete_owned(db.subscriptions, user_id)
            deleted += _delete_owned(db.assessments, user_id)
            deleted += _delete_owned(db.plans, user_id)
            deleted += _delete_owned(db.calendar_tasks, user_id)
            deleted += _delete_owned(db.progress, user_id)
            return deleted


def _owned(table: Mapping[tuple[str, str], V], user_id: str) -> list[V]:
    return [table[key] for key in sorted(table) if key[0] == user_id]


def _delete_owned(table: MutableMapping[tuple[str, str], V], user_id: str) -> int:
    owned = [key for key in table if key[0] == user_id]
    for key in owned:
        del table[key]
    return len(owned)


# --- items: the schema's attribute names, absent optional attributes left out ----------------


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def _day(day: date) -> str:
    return day.isoformat()


def _present(item: Item) -> Item:
    # DynamoDB items have no null optional attributes; the export matches the stored items.
    return {name: value for name, value in item.items() if value is not None}


def user_item(user: User) -> Item:
    """A users item."""
    return _present(
        {
            "user_id": user.user_id,
            "email": user.email,
            "name": user.name,
            "tier": user.tier.value,
            "wellness_disclaimer_accepted": user.wellness_disclaimer_accepted,
            "wellness_disclaimer_accepted_at": _time(user.wellness_disclaimer_accepted_at),
            "created_at": _time(user.created_at),
            "updated_at": _time(user.updated_at),
            "last_login_at": _time(user.last_login_at),
            "timezone": user.timezone,
        }
    )


def subscription_item(sub: Subscription) -> Item:
    """A subscriptions item."""
    return _present(
        {
            "user_id": sub.user_id,
            "subscription_id": sub.subscription_id,
            "stripe_customer_id": sub.stripe_customer_id,
            "tier": sub.tier.value,
            "status": sub.status.value,
            "current_period_start": _time(sub.current_period_start),
            "current_period_end": _time(sub.current_period_end),
            "cancel_at_period_end": sub.cancel_at_period_end,
            "canceled_at": _time(sub.canceled_at),
            "created_at": _time(sub.created_at),
            "updated_at": _time(sub.updated_at),
            "stripe_status": sub.stripe_status,
            "last_event_at": _time(sub.last_event_at),
            "last_event_id": sub.last_event_id,
        }
    )


def assessment_item(a: Assessment) -> Item:
    """An assessments item."""
    result = None
    if a.result is not None:
        result = _present(
            {
                "score": str(a.result.score),
                "confidence": a.result.confidence,
                "problem_areas": [str(area) for area in a.result.problem_areas],
                "normalized_output": (
                    None if a.result.normalized_output is None else dict(a.result.normalized_output)
                ),
            }
        )
    return _present(
        {
            "user_id": a.user_id,
            "assessment_id": a.assessment_id,
            "test_id": a.test_id,
            "test_name": a.test_name,
            "video_url": a.video_url,
            "status": a.status.value,
            "attempt_number": a.attempt_number,
            "quality_score": a.quality_score,
            "confidence_avg": a.confidence_avg,
            "motion_variance": a.motion_variance,
            "result": result,
            "feedback": a.feedback,
            "created_at": _time(a.created_at),
            "completed_at": _time(a.completed_at),
            "month_key": a.month_key,
        }
    )


def plan_item(plan: Plan) -> Item:
    """A plans item."""
    return {
        "user_id": plan.user_id,
        "plan_id": plan.plan_id,
        "tier": plan.tier.value,
        "is_active": plan.is_active,
        "based_on_tests": list(plan.based_on_tests),
        "problem_areas": {
            "p1": [region.value for region in plan.p1],
            "p2": [region.value for region in plan.p2],
        },
        "exercises": [
            _present(
                {
                    "exercise_id": e.exercise_id,
                    "name": e.name,
                    "description": e.description,
                    "priority": e.priority.value,
                    "problem_area": e.problem_area,
                    "dosage": dosage_item(e.dosage),
                }
            )
            for e in plan.exercises
        ],
        "phases": [
            {
                "phase_id": phase.phase_id,
                "duration_weeks": phase.duration_weeks,
                "focus": phase.focus.value,
                "exercises": list(phase.exercises),
            }
            for phase in plan.phases
        ],
        "created_at": iso(plan.created_at),
        "updated_at": iso(plan.updated_at),
        "version": plan.version,
    }


def task_item(task: CalendarTask) -> Item:
    """A calendar-tasks item."""
    return _present(
        {
            "user_id": task.user_id,
            "task_date": _day(task.task_date),
            "task_id": task.task_id,
            "plan_id": task.plan_id,
            "exercise_id": task.exercise_id,
            "priority": task.priority.value,
            "completed": task.completed,
            "completed_at": _time(task.completed_at),
            "created_at": _time(task.created_at),
            "dosage": dosage_item(task.dosage),
        }
    )


def dosage_item(dosage: Dosage | None) -> Item | None:
    """A `dosage` map: `sets`, `reps` or `hold_seconds`, `rest_seconds`; None without one."""
    if dosage is None:
        return None
    return _present(
        {
            "sets": dosage.sets,
            "reps": dosage.reps,
            "hold_seconds": dosage.hold_seconds,
            "rest_seconds": dosage.rest_seconds,
        }
    )


def progress_item(p: Progress) -> Item:
    """A progress item."""
    return {
        "user_id": p.user_id,
        "date": _day(p.date),
        "completion_percentage": p.completion_percentage,
        "tasks_completed": p.tasks_completed,
        "tasks_total": p.tasks_total,
        "streak": p.streak,
        "streak_points": p.streak_points,
        "test_improvements": [
            {"test_id": i.test_id, "improvement_percentage": i.improvement_percentage}
            for i in p.test_improvements
        ],
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
        "revision": p.revision,
    }


def limits_item(limits: UserLimits) -> Item:
    """A user-limits item; `attempts_per_test` keys become strings, as in any JSON object."""
    return _present(
        {
            "user_id": limits.user_id,
            "plan": limits.plan.value,
            "video_quota_used_daily": limits.video_quota_used_daily,
            "video_quota_day": limits.video_quota_day,
            "video_quota_used_hourly": limits.video_quota_used_hourly,
            "video_quota_hour": limits.video_quota_hour,
            "test_quota_used_monthly": limits.test_quota_used_monthly,
            "test_quota_month": limits.test_quota_month,
            "attempts_per_test": {
                str(test_id): count for test_id, count in sorted(limits.attempts_per_test.items())
            },
            "hour_window": limits.hour_window,
            "day_window": limits.day_window,
            "month_window": limits.month_window,
            "tests_this_month": sorted(limits.tests_this_month),
            "strikes": limits.strikes,
            "strike_window": limits.strike_window,
            "ban_until": _time(limits.ban_until),
            "ban_reason": limits.ban_reason,
            "updated_at": iso(limits.updated_at),
            "revision": limits.revision,
        }
    )
