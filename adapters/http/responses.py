"""Response bodies: field names as in the tables of the schema, and mappers from the entities.

Times are ISO 8601 UTC with milliseconds (`domain.time.iso`), dates YYYY-MM-DD. Internal
bookkeeping (revisions, strike counters, event watermarks) is never shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, PlainSerializer, WithJsonSchema

from application.assessment_analytics import AssessmentAnalytics
from application.set_task_completion import TaskCompletion
from application.start_attempt import StartedAttempt
from domain.assessment import Assessment, AssessmentStatus
from domain.calendar import CalendarTask, task_details
from domain.catalog import CATALOG, MovementTest
from domain.dosage import Dosage
from domain.exercises import PhaseFocus
from domain.limits import LimitsUsage
from domain.plan import Plan, Priority
from domain.progress import Progress
from domain.regions import Region
from domain.scores import Score
from domain.subscription import Subscription, SubscriptionStatus
from domain.tiers import Tier
from domain.time import iso
from domain.user import User

Timestamp = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class Out(BaseModel):
    """Base of every response body."""

    model_config = ConfigDict(frozen=True)


class Health(Out):
    status: str = "ok"


class MovementTestOut(Out):
    test_id: int
    name: str
    regions: list[Region]


class ProfileOut(Out):
    user_id: str
    email: str
    name: str | None
    tier: Tier
    wellness_disclaimer_accepted: bool
    wellness_disclaimer_accepted_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    last_login_at: Timestamp | None
    timezone: str


class LimitsOut(Out):
    """The user-limits attributes as they stand now, with when each window resets."""

    user_id: str
    plan: Tier
    video_quota_hour: int
    video_quota_used_hourly: int
    hourly_resets_at: Timestamp
    video_quota_day: int
    video_quota_used_daily: int
    daily_resets_at: Timestamp
    test_quota_month: int
    test_quota_used_monthly: int
    monthly_resets_at: Timestamp
    attempts_per_test: dict[str, int] = Field(description="test_id -> attempts today")
    attempts_per_test_limit: int
    tests_this_month: list[int]
    ban_until: Timestamp | None
    ban_reason: str | None


class ResultOut(Out):
    score: Score
    confidence: float
    problem_areas: list[Region]
    normalized_output: dict[str, JsonValue] | None


class AssessmentOut(Out):
    user_id: str
    assessment_id: str
    test_id: int
    test_name: str
    video_url: str
    status: AssessmentStatus
    attempt_number: int
    month_key: str
    quality_score: float | None
    confidence_avg: float | None
    motion_variance: float | None
    result: ResultOut | None
    feedback: str | None
    created_at: Timestamp
    completed_at: Timestamp | None


class StartedAssessmentOut(AssessmentOut):
    upload_url: str = Field(description="A pre-signed PUT for the video (Content-Type video/mp4)")
    upload_expires_at: Timestamp


class AssessmentPage(Out):
    items: list[AssessmentOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")


class ProblemAreas(Out):
    p1: list[Region] = Field(description="Root-cause candidates")
    p2: list[Region] = Field(description="Consequence patterns")


class DosageOut(Out):
    """How much: `sets` of `reps` repetitions or of `hold_seconds` holds; the other is null."""

    sets: int
    reps: int | None = Field(description="Repetitions per set; null when the work is held")
    hold_seconds: int | None = Field(description="Seconds per hold; null when counted in reps")
    rest_seconds: int


class PlanExerciseOut(Out):
    exercise_id: str
    name: str
    description: str
    priority: Priority
    problem_area: str
    dosage: DosageOut | None = Field(
        description="The base prescription; null only on plans made before dosage existed"
    )


class PhaseOut(Out):
    phase_id: str
    duration_weeks: int
    focus: PhaseFocus
    exercises: list[str]


class PlanOut(Out):
    user_id: str
    plan_id: str
    tier: Tier
    is_active: bool
    based_on_tests: list[int]
    problem_areas: ProblemAreas
    exercises: list[PlanExerciseOut]
    phases: list[PhaseOut]
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class TaskOut(Out):
    user_id: str
    task_date: date
    task_id: str
    plan_id: str
    exercise_id: str = Field(description="A library exercise, or `retest-<test_id>`")
    priority: Priority
    completed: bool
    completed_at: Timestamp | None
    created_at: Timestamp
    name: str = Field(description="The exercise's name; on a retest, the test's name")
    description: str = Field(description="How to do the exercise, or what the retest asks")
    dosage: DosageOut | None = Field(
        description="This day's prescription, progressed week by week; null on a retest"
    )


class TasksOut(Out):
    tasks: list[TaskOut]


class TestImprovementOut(Out):
    test_id: int
    improvement_percentage: int


class ProgressOut(Out):
    user_id: str
    date: date
    tasks_total: int
    tasks_completed: int
    completion_percentage: int
    streak: int
    streak_points: int
    test_improvements: list[TestImprovementOut]
    created_at: Timestamp
    updated_at: Timestamp


class TaskCompletionOut(Out):
    task: TaskOut
    progress: ProgressOut


class ProgressReportOut(Out):
    days: list[ProgressOut]
    current_streak: int
    best_streak: int


class CheckoutOut(Out):
    url: str


class SubscriptionOut(Out):
    user_id: str
    subscription_id: str
    stripe_customer_id: str
    tier: Tier
    status: SubscriptionStatus
    current_period_start: Timestamp
    current_period_end: Timestamp
    cancel_at_period_end: bool
    canceled_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


Count = Annotated[int, Field(ge=0)]
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class StatusCountsOut(Out):
    """Attempts by status; every status is present, zero included."""

    processing: Count
    completed: Count
    failed: Count
    invalid: Count


class MovementTestCountsOut(Out):
    test_id: int = Field(ge=1, le=len(CATALOG))
    test_name: str
    counts: StatusCountsOut
    total: Count


class AssessmentAnalyticsOut(Out):
    """Every user's attempts of a month (by `created_at`, UTC), per catalog test and status."""

    month: str = Field(pattern=MONTH_PATTERN, description="YYYY-MM")
    tests: list[MovementTestCountsOut] = Field(
        min_length=len(CATALOG),
        max_length=len(CATALOG),
        description="Every catalog test, by test_id, zeros included",
    )
    total: Count


class WebhookOut(Out):
    outcome: str = Field(description="applied, stale, ignored or unknown_customer")


class ProblemOut(BaseModel):
    """RFC 9457 problem details with the stable `code`."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    resets_at: Timestamp | None = Field(None, description="429: when the limit resets")
    ban_until: Timestamp | None = Field(None, description="BANNED: when the ban ends")
    errors: list[dict[str, JsonValue]] | None = Field(None, description="422: what failed")


ExportOut = dict[str, list[dict[str, JsonValue]]]


# --- mappers ---------------------------------------------------------------------------------


def movement_test_out(test: MovementTest) -> MovementTestOut:
    """One catalog entry."""
    return MovementTestOut(test_id=test.test_id, name=test.name, regions=list(test.regions))


def profile_out(user: User) -> ProfileOut:
    """The users attributes of the profile, with its time zone."""
    return ProfileOut(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        tier=user.tier,
        wellness_disclaimer_accepted=user.wellness_disclaimer_accepted,
        wellness_disclaimer_accepted_at=user.wellness_disclaimer_accepted_at,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_login_at=user.last_login_at,
        timezone=user.timezone,
    )


def limits_out(usage: LimitsUsage) -> LimitsOut:
    """The limits row as it stands now, with reset times."""
    return LimitsOut(
        user_id=usage.user_id,
        plan=usage.plan,
        video_quota_hour=usage.hourly.limit,
        video_quota_used_hourly=usage.hourly.used,
        hourly_resets_at=usage.hourly.resets_at,
        video_quota_day=usage.daily.limit,
        video_quota_used_daily=usage.daily.used,
        daily_resets_at=usage.daily.resets_at,
        test_quota_month=usage.monthly.limit,
        test_quota_used_monthly=usage.monthly.used,
        monthly_resets_at=usage.monthly.resets_at,
        attempts_per_test={str(k): v for k, v in sorted(usage.attempts_per_test.items())},
        attempts_per_test_limit=usage.attempts_per_test_limit,
        tests_this_month=sorted(usage.tests_this_month),
        ban_until=usage.ban_until,
        ban_reason=usage.ban_reason,
    )


def _assessment_fields(assessment: Assessment) -> dict[str, Any]:
    result = assessment.result
    return {
        "user_id": assessment.user_id,
        "assessment_id": assessment.assessment_id,
        "test_id": assessment.test_id,
        "test_name": assessment.test_name,
        "video_url": assessment.video_url,
        "status": assessment.status,
        "attempt_number": assessment.attempt_number,
        "month_key": assessment.month_key,
        "quality_score": assessment.quality_score,
        "confidence_avg": assessment.confidence_avg,
        "motion_variance": assessment.motion_variance,
        "result": None
        if result is None
        else ResultOut(
            score=result.score,
            confidence=result.confidence,
            problem_areas=list(result.problem_areas),
            normalized_output=_json_object(result.normalized_output),
        ),
        "feedback": assessment.feedback,
        "created_at": assessment.created_at,
        "completed_at": assessment.completed_at,
    }


def _json_object(value: Mapping[str, object] | None) -> dict[str, JsonValue] | None:
    return None if value is None else dict(value)  # type: ignore[arg-type]


def assessment_out(assessment: Assessment) -> AssessmentOut:
    """One attempt as stored."""
    return AssessmentOut(**_assessment_fields(assessment))


def started_out(started: StartedAttempt) -> StartedAssessmentOut:
    """A new attempt with where to upload its video."""
    return StartedAssessmentOut(
        **_assessment_fields(started.assessment),
        upload_url=started.upload_url,
        upload_expires_at=started.upload_expires_at,
    )


def plan_out(plan: Plan) -> PlanOut:
    """A plan, its problem areas nested as in the schema."""
    return PlanOut(
        user_id=plan.user_id,
        plan_id=plan.plan_id,
        tier=plan.tier,
        is_active=plan.is_active,
        based_on_tests=list(plan.based_on_tests),
        problem_areas=ProblemAreas(p1=list(plan.p1), p2=list(plan.p2)),
        exercises=[
            PlanExerciseOut(
                exercise_id=e.exercise_id,
                name=e.name,
                description=e.description,
                priority=e.priority,
                problem_area=e.problem_area,
                dosage=dosage_out(e.dosage),
            )
            for e in plan.exercises
        ],
        phases=[
            PhaseOut(
                phase_id=p.phase_id,
                duration_weeks=p.duration_weeks,
                focus=p.focus,
                exercises=list(p.exercises),
            )
            for p in plan.phases
        ],
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        version=plan.version,
    )


def dosage_out(dosage: Dosage | None) -> DosageOut | None:
    """A prescription, or None."""
    if dosage is None:
        return None
    return DosageOut(
        sets=dosage.sets,
        reps=dosage.reps,
        hold_seconds=dosage.hold_seconds,
        rest_seconds=dosage.rest_seconds,
    )


def task_out(task: CalendarTask) -> TaskOut:
    """One calendar task, with what a person reads on it: name, description, the day's dosage."""
    details = task_details(task)
    return TaskOut(
        user_id=task.user_id,
        task_date=task.task_date,
        task_id=task.task_id,
        plan_id=task.plan_id,
        exercise_id=task.exercise_id,
        priority=task.priority,
        completed=task.completed,
        completed_at=task.completed_at,
        created_at=task.created_at,
        name=details.name,
        description=details.description,
        dosage=dosage_out(task.dosage),
    )


def tasks_out(tasks: Sequence[CalendarTask]) -> TasksOut:
    """Calendar tasks, in the order given."""
    return TasksOut(tasks=[task_out(task) for task in tasks])


def progress_out(progress: Progress) -> ProgressOut:
    """The progress of one date."""
    return ProgressOut(
        user_id=progress.user_id,
        date=progress.date,
        tasks_total=progress.tasks_total,
        tasks_completed=progress.tasks_completed,
        completion_percentage=progress.completion_percentage,
        streak=progress.streak,
        streak_points=progress.streak_points,
        test_improvements=[
            TestImprovementOut(test_id=t.test_id, improvement_percentage=t.improvement_percentage)
            for t in progress.test_improvements
        ],
        created_at=progress.created_at,
        updated_at=progress.updated_at,
    )


def completion_out(completion: TaskCompletion) -> TaskCompletionOut:
    """A task after (un)completing it, and its date's progress."""
    return TaskCompletionOut(
        task=task_out(completion.task), progress=progress_out(completion.progress)
    )


def analytics_out(analytics: AssessmentAnalytics) -> AssessmentAnalyticsOut:
    """A month's attempts counted per test and status."""
    return AssessmentAnalyticsOut(
        month=analytics.month,
        tests=[
            MovementTestCountsOut(
                test_id=row.test_id,
                test_name=row.test_name,
                counts=StatusCountsOut(
                    **{status.value: row.counts[status.value] for status in AssessmentStatus}
                ),
                total=row.total,
            )
            for row in analytics.tests
        ],
        total=analytics.total,
    )


def subscription_out(sub: Subscription) -> SubscriptionOut:
    """One subscription, without its event watermark."""
    return SubscriptionOut(
        user_id=sub.user_id,
        subscription_id=sub.subscription_id,
        stripe_customer_id=sub.stripe_customer_id,
        tier=sub.tier,
        status=sub.status,
        current_period_start=sub.current_period_start,
        current_period_end=sub.current_period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
        canceled_at=sub.canceled_at,
        created_at=sub.created_at,
        updated_at=sub.updated_at,
    )
