"""Correction plans built from recent assessments (SPEC.md section 5).

Recent completed results weigh the regions they flag; the kinetic chain splits flagged regions
into root-cause candidates (p1) and consequences (p2); the tier caps how many of each are
worked on; the exercise library fills three phases, or one maintenance phase when nothing is
flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.assessment import Assessment, AssessmentStatus
from domain.dosage import Dosage
from domain.errors import NoAssessments, NotFound, TierRequired, ValidationFailed
from domain.exercises import CORRECTIVE_FOCUSES, Exercise, PhaseFocus, exercises_for
from domain.regions import Region, causes_of
from domain.scores import Score
from domain.tiers import Tier, quota_of

LOOKBACK = timedelta(days=90)
HEAVY_REGION_WEIGHT = 4
EXERCISES_PER_REGION_PER_PHASE = 2
GENERAL_AREA = "general"

# How many p1 and p2 regions each tier works on; None means all of them. The chain never yields
# more than 4 and 4, so a pro cap of 4 would make pro equal proplus (decision 170).
REGION_CAPS: Mapping[Tier, int | None] = {Tier.BASIC: 1, Tier.PRO: 2, Tier.PROPLUS: None}

_STANDARD_WEEKS = (2, 2, 2)
_HEAVY_WEEKS = (3, 3, 2)
_MAINTENANCE_WEEKS = 4


class Priority(StrEnum):
    MUST = "must"
    SHOULD = "should"


@dataclass(frozen=True, slots=True)
class PlanExercise:
    exercise_id: str
    name: str
    description: str
    priority: Priority
    problem_area: str  # a Region value, or "general" for maintenance work
    # The library's base prescription; None only on plans stored before dosage (decision 175).
    dosage: Dosage | None = None


@dataclass(frozen=True, slots=True)
class PlanPhase:
    phase_id: str
    duration_weeks: int
    focus: PhaseFocus
    exercises: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.duration_weeks < 1:
            raise ValidationFailed(f"phase {self.phase_id} must last at least one week")

    @property
    def days(self) -> int:
        return self.duration_weeks * 7


@dataclass(frozen=True, slots=True)
class Plan:
    user_id: str
    plan_id: str
    tier: Tier
    is_active: bool
    based_on_tests: tuple[int, ...]
    p1: tuple[Region, ...]
    p2: tuple[Region, ...]
    exercises: tuple[PlanExercise, ...]
    phases: tuple[PlanPhase, ...]
    created_at: datetime
    updated_at: datetime
    version: int

    def __post_init__(self) -> None:
        if not self.phases:
            raise ValidationFailed("a plan has at least one phase")
        if self.version < 1:
            raise ValidationFailed(f"plan versions start at 1, got {self.version}")
        known = {exercise.exercise_id for exercise in self.exercises}
        for phase in self.phases:
            missing = [e for e in phase.exercises if e not in known]
            if missing:
                raise ValidationFailed(f"phase {phase.phase_id} names unknown exercises {missing}")

    @property
    def total_days(self) -> int:
        """The plan's length in days: the sum of its phases."""
        return sum(phase.days for phase in self.phases)

    def phase_on_day(self, day_number: int) -> PlanPhase:
        """The phase of plan day `day_number` (1 = first); past the end, the last (decision 025)."""
        if day_number < 1:
            raise ValidationFailed(f"plan days start at 1, got {day_number}")
        last_day = 0
        for phase in self.phases:
            last_day += phase.days
            if day_number <= last_day:
                return phase
        return self.phases[-1]

    def phase_bounds(self) -> tuple[tuple[PlanPhase, int, int], ...]:
        """Each phase with its first and last plan day (day 1 = the plan's first day)."""
        bounds: list[tuple[PlanPhase, int, int]] = []
        last_day = 0
        for phase in self.phases:
            bounds.append((phase, last_day + 1, last_day + phase.days))
            last_day += phase.days
        return tuple(bounds)

    def week_in_phase(self, day_number: int) -> int:
        """The week of its phase plan day `day_number` falls in (0 = the phase's first week).

        Past the plan's end the last phase goes on (decision 025), and so do its weeks.
        """
        if day_number < 1:
            raise ValidationFailed(f"plan days start at 1, got {day_number}")
        bounds = self.phase_bounds()
        first = next((start for _, start, last in bounds if day_number <= last), bounds[-1][1])
        return (day_number - first) // 7

    def dosage_on_day(self, exercise_id: str, day_number: int) -> Dosage | None:
        """The exercise's prescription on plan day `day_number`: its base, progressed by the
        weeks of the phase already done and capped (SPEC.md 6)."""
        base = self.exercise(exercise_id).dosage
        return None if base is None else base.progressed(self.week_in_phase(day_number))

    def retest_days(self) -> tuple[int, ...]:
        """The last plan day of each corrective phase: retest days (maintenance has none, 173)."""
        return tuple(
            last for phase, _, last in self.phase_bounds() if phase.focus in CORRECTIVE_FOCUSES
        )

    def exercise(self, exercise_id: str) -> PlanExercise:
        """The plan's exercise with this id, or NOT_FOUND."""
        for exercise in self.exercises:
            if exercise.exercise_id == exercise_id:
                return exercise
        raise NotFound(f"plan {self.plan_id} has no exercise {exercise_id!r}")


def latest_completed_per_test(assessments: Iterable[Assessment], now: datetime) -> list[Assessment]:
    """The latest `completed` assessment of each test started in the last 90 days, by test id.

    Exactly 90 days ago still counts (decision 024).
    """
    since = now - LOOKBACK
    latest: dict[int, Assessment] = {}
    for assessment in assessments:
        if assessment.status != AssessmentStatus.COMPLETED or assessment.result is None:
            continue
        if assessment.created_at < since:
            continue
        current = latest.get(assessment.test_id)
        # assessment_id breaks a tie of created_at so the choice never depends on input order
        if current is None or (assessment.created_at, assessment.assessment_id) > (
            current.created_at,
            current.assessment_id,
        ):
            latest[assessment.test_id] = assessment
    return [latest[test_id] for test_id in sorted(latest)]


def region_weights(assessments: Iterable[Assessment]) -> dict[Region, int]:
    """Each flagged region's weight: 2 per `significant` and 1 per `limited` result naming it."""
    weights: Counter[Region] = Counter()
    for assessment in assessments:
        result = assessment.result
        if assessment.status != AssessmentStatus.COMPLETED or result is None:
            continue
        for area in result.problem_areas:
            weights[Region(area)] += Score(result.score).severity
    return {region: weight for region, weight in weights.items() if weight > 0}


def _by_weight_then_name(
    weights: Mapping[Region, int], regions: Iterable[Region]
) -> tuple[Region, ...]:
    return tuple(sorted(regions, key=lambda region: (-weights[region], region.value)))


def prioritise(weights: Mapping[Region, int]) -> tuple[tuple[Region, ...], tuple[Region, ...]]:
    """(p1, p2): flagged regions without a flagged cause, then those with one; heaviest first."""
    flagged = {region for region, weight in weights.items() if weight > 0}
    roots = [region for region in flagged if not causes_of(region) & flagged]
    consequences = [region for region in flagged if causes_of(region) & flagged]
    return _by_weight_then_name(weights, roots), _by_weight_then_name(weights, consequences)


def plans_need_a_paid_tier(tier: Tier) -> None:
    """TIER_REQUIRED unless the tier includes plans (basic or higher)."""
    if not quota_of(tier).has_plans:
        raise TierRequired(f"correction plans need basic or higher, not {tier}")


def regions_within_tier(
    tier: Tier, p1: tuple[Region, ...], p2: tuple[Region, ...]
) -> tuple[tuple[Region, ...], tuple[Region, ...]]:
    """The p1 and p2 regions the tier works on: the heaviest up to its cap."""
    plans_need_a_paid_tier(tier)
    cap = REGION_CAPS[tier]
    if cap is None:
        return p1, p2
    return p1[:cap], p2[:cap]


def _exercises_of(region: Region | None, focus: PhaseFocus) -> tuple[Exercise, ...]:
    # A fixed number per region keeps daily load predictable as the library grows (026).
    chosen = exercises_for(region, focus)
    return chosen if region is None else chosen[:EXERCISES_PER_REGION_PER_PHASE]


def _plan_exercise(exercise: Exercise, priority: Priority) -> PlanExercise:
    return PlanExercise(
        exercise_id=exercise.exercise_id,
        name=exercise.name,
        description=exercise.description,
        priority=priority,
        problem_area=exercise.region.value if exercise.region is not None else GENERAL_AREA,
        dosage=exercise.dosage,
    )


def _phase_id(index: int, focus: PhaseFocus) -> str:
    return f"p{index}-{focus.value}"


def _maintenance() -> tuple[tuple[PlanExercise, ...], tuple[PlanPhase, ...]]:
    work = _exercises_of(None, PhaseFocus.MAINTENANCE)
    exercises = tuple(_plan_exercise(exercise, Priority.MUST) for exercise in work)
    phase = PlanPhase(
        phase_id=_phase_id(1, PhaseFocus.MAINTENANCE),
        duration_weeks=_MAINTENANCE_WEEKS,
        focus=PhaseFocus.MAINTENANCE,
        exercises=tuple(exercise.exercise_id for exercise in exercises),
    )
    return exercises, (phase,)


def _corrective(
    p1: tuple[Region, ...], p2: tuple[Region, ...], heavy: bool
) -> tuple[tuple[PlanExercise, ...], tuple[PlanPhase, ...]]:
    priorities = [(region, Priority.MUST) for region in p1] + [
        (region, Priority.SHOULD) for region in p2
    ]
    exercises = tuple(
        _plan_exercise(exercise, priority)
        for region, priority in priorities
        for focus in CORRECTIVE_FOCUSES
        for exercise in _exercises_of(region, focus)
    )
    weeks = _HEAVY_WEEKS if heavy else _STANDARD_WEEKS
    phases = tuple(
        PlanPhase(
            phase_id=_phase_id(index, focus),
            duration_weeks=duration,
            focus=focus,
            exercises=tuple(
                exercise.exercise_id
                for region, _ in priorities
                for exercise in _exercises_of(region, focus)
            ),
        )
        for index, (focus, duration) in enumerate(zip(CORRECTIVE_FOCUSES, weeks, strict=True), 1)
    )
    return exercises, phases


def build_plan(
    user_id: str,
    plan_id: str,
    tier: Tier,
    assessments: Iterable[Assessment],
    previous_version: int | None,
    now: datetime,
) -> Plan:
    """A new active plan from the user's recent completed assessments (SPEC.md section 5)."""
    plans_need_a_paid_tier(tier)
    used = latest_completed_per_test(assessments, now)
    if not used:
        raise NoAssessments("no completed assessment in the last 90 days")
    if previous_version is not None and previous_version < 1:
        raise ValidationFailed(f"plan versions start at 1, got {previous_version}")
    weights = region_weights(used)
    p1, p2 = regions_within_tier(tier, *prioritise(weights))
    if p1 or p2:
        # The heaviest region of p1 and of p2 always survives the cap, so checking every
        # flagged region equals checking the selected ones.
        heavy = max(weights.values()) >= HEAVY_REGION_WEIGHT
        exercises, phases = _corrective(p1, p2, heavy)
    else:
        exercises, phases = _maintenance()
    return Plan(
        user_id=user_id,
        plan_id=plan_id,
        tier=tier,
        is_active=True,
        based_on_tests=tuple(sorted(a.test_id for a in used)),
        p1=p1,
        p2=p2,
        exercises=exercises,
        phases=phases,
        created_at=now,
        updated_at=now,
        version=1 if previous_version is None else previous_version + 1,
    )


def active_of(plans: Sequence[Plan]) -> Plan | None:
    """The active plan among a user's plans, given oldest version first: the newest active one
    (one at most is active, decision 052)."""
    active = [plan for plan in plans if plan.is_active]
    return active[-1] if active else None


def deactivate(plan: Plan, now: datetime) -> Plan:
    """The plan no longer active; an inactive plan is returned unchanged (decision 027)."""
    if not plan.is_active:
        return plan
    return replace(plan, is_active=False, updated_at=now)
