"""Entities with sensible defaults, for tests that care about one or two fields.

Times are whole seconds, so an entity reads back equal from any backend (stores keep
milliseconds). Pass keyword `changes` to override any field of the entity.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.assessment import Assessment, AssessmentResult, AssessmentStatus
from domain.calendar import CalendarTask, task_id_for
from domain.catalog import test_by_id
from domain.dosage import reps
from domain.exercises import PhaseFocus
from domain.limits import UserLimits, new_limits
from domain.plan import Plan, PlanExercise, PlanPhase, Priority
from domain.progress import Progress, TestImprovement, progress_for
from domain.regions import Region
from domain.scores import Score
from domain.subscription import Subscription, SubscriptionStatus
from domain.tiers import Tier
from domain.user import User, register
from domain.windows import month_key

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY0 = date(2026, 11, 25)
USER_ID = "user-1"


def a_user(
    user_id: str = USER_ID, email: str | None = None, *, now: datetime = T0, **changes: Any
) -> User:
    """A registered free user, `{user_id}@example.com` unless told otherwise."""
    user = register(user_id, email or f"{user_id}@example.com", None, None, now)
    return dataclasses.replace(user, **changes)


def limits_for(
    user: User | str = USER_ID, tier: Tier | None = None, *, now: datetime = T0, **changes: Any
) -> UserLimits:
    """A fresh limits row (revision 0) of the user, on the user's tier unless told otherwise."""
    user_id = user if isinstance(user, str) else user.user_id
    if tier is None:
        tier = Tier.FREE if isinstance(user, str) else user.tier
    return dataclasses.replace(new_limits(user_id, tier, now), **changes)


def an_assessment(
    user_id: str = USER_ID,
    assessment_id: str = "assessment-1",
    *,
    test_id: int = 1,
    created_at: datetime = T0,
    status: AssessmentStatus = AssessmentStatus.PROCESSING,
    **changes: Any,
) -> Assessment:
    """An attempt of `test_id`; a `completed` one passes, other terminal ones carry feedback."""
    test = test_by_id(test_id)
    finished: dict[str, Any] = {}
    if status is AssessmentStatus.COMPLETED:
        finished = {
            "result": AssessmentResult(Score.PASS, 0.9),
            "quality_score": 0.9,
            "confidence_avg": 0.9,
            "motion_variance": 0.5,
        }
    elif status is not AssessmentStatus.PROCESSING:
        finished = {"feedback": "the worker crashed"}
    if status is not AssessmentStatus.PROCESSING:
        finished["completed_at"] = created_at + timedelta(minutes=1)
    assessment = Assessment(
        user_id=user_id,
        assessment_id=assessment_id,
        test_id=test.test_id,
        test_name=test.name,
        video_url=f"s3://videos/videos/{user_id}/{assessment_id}.mp4",
        status=status,
        attempt_number=1,
        month_key=month_key(created_at),
        created_at=created_at,
        **finished,
    )
    return dataclasses.replace(assessment, **changes)


def a_plan(
    user_id: str = USER_ID,
    version: int = 1,
    *,
    is_active: bool = True,
    created_at: datetime = T0,
    **changes: Any,
) -> Plan:
    """A small one-phase plan, id `plan-{user_id}-v{version}`."""
    exercise = PlanExercise(
        exercise_id="ankle-circles",
        name="Ankle circles",
        description="Slow circles, both directions.",
        priority=Priority.MUST,
        problem_area=Region.ANKLE.value,
        dosage=reps(2, 10, 30),
    )
    plan = Plan(
        user_id=user_id,
        plan_id=f"plan-{user_id}-v{version}",
        tier=Tier.BASIC,
        is_active=is_active,
        based_on_tests=(1,),
        p1=(Region.ANKLE,),
        p2=(),
        exercises=(exercise,),
        phases=(PlanPhase("p1-mobility", 2, PhaseFocus.MOBILITY, (exercise.exercise_id,)),),
        created_at=created_at,
        updated_at=created_at,
        version=version,
    )
    return dataclasses.replace(plan, **changes)


def a_task(
    user_id: str = USER_ID,
    task_date: date = DAY0,
    exercise_id: str = "ankle-circles",
    *,
    plan_id: str = "plan-user-1-v1",
    completed: bool = False,
    **changes: Any,
) -> CalendarTask:
    """A `must` task of the plan on `task_date`, with its derived id; completed at T0 if asked."""
    task = CalendarTask(
        user_id=user_id,
        task_date=task_date,
        task_id=task_id_for(plan_id, task_date, exercise_id),
        plan_id=plan_id,
        exercise_id=exercise_id,
        priority=Priority.MUST,
        completed=completed,
        completed_at=T0 if completed else None,
        created_at=T0,
    )
    return dataclasses.replace(task, **changes)


def a_progress(
    user_id: str = USER_ID,
    day: date = DAY0,
    *,
    total: int = 0,
    completed: int = 0,
    streak: int = 0,
    revision: int = 0,
    improvements: tuple[TestImprovement, ...] = (),
    now: datetime = T0,
) -> Progress:
    """The progress of one date with these counts, streak and revision."""
    item = progress_for(user_id, day, total, completed, now)
    return dataclasses.replace(
        item, streak=streak, revision=revision, test_improvements=improvements
    )


def a_subscription(
    user_id: str = USER_ID,
    subscription_id: str = "sub_1",
    *,
    customer: str = "cus_1",
    tier: Tier = Tier.PRO,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    event_id: str = "evt_1",
    event_at: datetime = T0,
    **changes: Any,
) -> Subscription:
    """An active monthly subscription whose newest applied event is `event_id`."""
    subscription = Subscription(
        user_id=user_id,
        subscription_id=subscription_id,
        stripe_customer_id=customer,
        tier=tier,
        status=status,
        current_period_start=T0,
        current_period_end=T0 + timedelta(days=30),
        cancel_at_period_end=False,
        canceled_at=None,
        created_at=T0,
        updated_at=event_at,
        stripe_status="active",
        last_event_at=event_at,
        last_event_id=event_id,
    )
    return dataclasses.replace(subscription, **changes)
