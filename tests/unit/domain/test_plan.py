"""Correction plans and the exercise library (SPEC.md section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.assessment import Assessment, AssessmentResult, AssessmentStatus
from domain.catalog import CATALOG
from domain.catalog import test_by_id as catalog_test
from domain.errors import NoAssessments, NotFound, TierRequired, ValidationFailed
from domain.exercises import (
    CORRECTIVE_FOCUSES,
    LIBRARY,
    PhaseFocus,
    exercise_by_id,
    exercises_for,
)
from domain.plan import (
    LOOKBACK,
    Plan,
    Priority,
    build_plan,
    deactivate,
    latest_completed_per_test,
    prioritise,
    region_weights,
    regions_within_tier,
)
from domain.regions import Region
from domain.scores import Score
from domain.tiers import Tier

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
R = Region
S = Score

_ids = iter(range(10_000))


def an_assessment(
    test_id: int = 1,
    score: Score = Score.LIMITED,
    areas: Sequence[Region] = (Region.ANKLE,),
    status: AssessmentStatus = AssessmentStatus.COMPLETED,
    created_at: datetime = NOW - timedelta(days=1),
) -> Assessment:
    completed = status is AssessmentStatus.COMPLETED
    return Assessment(
        user_id="user-1",
        assessment_id=f"a-{next(_ids):05d}",
        test_id=test_id,
        test_name=catalog_test(test_id).name,
        video_url="s3://videos/k.mp4",
        status=status,
        attempt_number=1,
        month_key=created_at.strftime("%Y-%m"),
        created_at=created_at,
        result=AssessmentResult(score, 0.9, tuple(areas)) if completed else None,
        completed_at=created_at + timedelta(minutes=2),
    )


def a_plan(
    *assessments: Assessment, tier: Tier = Tier.PROPLUS, previous: int | None = None
) -> Plan:
    return build_plan("user-1", "plan-1", tier, assessments or [an_assessment()], previous, NOW)


# the 90-day look-back and the latest of each test


def test_an_assessment_exactly_ninety_days_old_is_used() -> None:
    at_boundary = an_assessment(created_at=NOW - LOOKBACK)
    assert latest_completed_per_test([at_boundary], NOW) == [at_boundary]


def test_an_assessment_just_over_ninety_days_old_is_ignored() -> None:
    too_old = an_assessment(created_at=NOW - LOOKBACK - timedelta(microseconds=1))
    assert latest_completed_per_test([too_old], NOW) == []
    with pytest.raises(NoAssessments):
        a_plan(too_old)


def test_the_latest_completed_assessment_of_each_test_is_chosen() -> None:
    old_squat = an_assessment(1, created_at=NOW - timedelta(days=20))
    new_squat = an_assessment(1, created_at=NOW - timedelta(days=2))
    lunge = an_assessment(5, created_at=NOW - timedelta(days=30))
    chosen = latest_completed_per_test([new_squat, lunge, old_squat], NOW)
    assert chosen == [new_squat, lunge]


def test_invalid_failed_and_processing_attempts_are_ignored_even_when_newer() -> None:
    completed = an_assessment(1, S.SIGNIFICANT, (R.HIP,), created_at=NOW - timedelta(days=5))
    newer = [
        an_assessment(1, status=status, created_at=NOW - timedelta(days=1))
        for status in (AssessmentStatus.INVALID, AssessmentStatus.FAILED)
    ] + [an_assessment(1, status=AssessmentStatus.PROCESSING, created_at=NOW)]
    assert latest_completed_per_test([completed, *newer], NOW) == [completed]


def test_only_invalid_or_failed_attempts_give_no_assessments() -> None:
    with pytest.raises(NoAssessments) as raised:
        a_plan(
            an_assessment(status=AssessmentStatus.INVALID),
            an_assessment(status=AssessmentStatus.FAILED),
        )
    assert raised.value.code == "NO_ASSESSMENTS"


def test_an_old_result_of_a_test_does_not_count_once_a_newer_one_exists() -> None:
    old_bad = an_assessment(1, S.SIGNIFICANT, (R.KNEE,), created_at=NOW - timedelta(days=9))
    new_good = an_assessment(1, S.PASS, (), created_at=NOW - timedelta(days=1))
    plan = a_plan(old_bad, new_good)
    assert (plan.p1, plan.p2) == ((), ())


# weights


def test_a_region_weighs_two_per_significant_and_one_per_limited_result() -> None:
    weights = region_weights(
        [
            an_assessment(1, S.SIGNIFICANT, (R.ANKLE, R.HIP)),
            an_assessment(3, S.LIMITED, (R.ANKLE,)),
            an_assessment(10, S.LIMITED, (R.ANKLE,)),
            an_assessment(7, S.PASS, ()),
        ]
    )
    assert weights == {R.ANKLE: 4, R.HIP: 2}


def test_results_that_are_not_completed_weigh_nothing() -> None:
    assert region_weights([an_assessment(status=AssessmentStatus.INVALID)]) == {}


# kinetic chain


def test_ankle_and_knee_flagged_make_ankle_a_root_and_knee_a_consequence() -> None:
    assert prioritise({R.ANKLE: 1, R.KNEE: 2}) == ((R.ANKLE,), (R.KNEE,))


def test_a_consequence_whose_causes_are_not_flagged_is_a_root_candidate() -> None:
    assert prioritise({R.KNEE: 2, R.NECK: 1}) == ((R.KNEE, R.NECK), ())


def test_thoracic_spine_is_the_root_of_shoulder_and_neck() -> None:
    weights = {R.THORACIC_SPINE: 1, R.NECK: 2, R.SHOULDER: 2}
    assert prioritise(weights) == ((R.THORACIC_SPINE,), (R.NECK, R.SHOULDER))


def test_a_region_with_one_of_several_causes_flagged_is_a_consequence() -> None:
    assert prioritise({R.CORE: 1, R.LOWER_BACK: 1}) == ((R.CORE,), (R.LOWER_BACK,))


def test_regions_sort_by_weight_then_by_name() -> None:
    weights = {R.SHOULDER: 1, R.HIP: 1, R.ANKLE: 1, R.CORE: 3, R.KNEE: 2, R.NECK: 2}
    p1, p2 = prioritise(weights)
    assert p1 == (R.CORE, R.ANKLE, R.HIP, R.SHOULDER)
    assert p2 == (R.KNEE, R.NECK)


@given(st.dictionaries(st.sampled_from(list(Region)), st.integers(1, 20), min_size=1))
def test_every_flagged_region_is_in_exactly_one_of_p1_and_p2(weights: dict[Region, int]) -> None:
    p1, p2 = prioritise(weights)
    assert sorted(p1 + p2) == sorted(weights)
    assert p1, "the chain has no cycle, so something flagged has no flagged cause"
    for ranked in (p1, p2):
        keys = [(-weights[r], r.value) for r in ranked]
        assert keys == sorted(keys)


# tier caps


FIVE_AND_FIVE = (tuple(Region)[:5], tuple(Region)[3:])


@pytest.mark.parametrize(
    ("tier", "kept"),
    [(Tier.BASIC, 1), (Tier.PRO, 2), (Tier.PROPLUS, 5)],
)
def test_a_tier_caps_the_regions_of_each_priority(tier: Tier, kept: int) -> None:
    p1, p2 = FIVE_AND_FIVE
    assert regions_within_tier(tier, p1, p2) == (p1[:kept], p2[:kept])


def test_the_free_tier_gets_no_plan() -> None:
    with pytest.raises(TierRequired) as raised:
        a_plan(tier=Tier.FREE)
    assert raised.value.code == "TIER_REQUIRED"


def test_the_free_tier_is_refused_before_assessments_are_looked_at() -> None:
    with pytest.raises(TierRequired):
        build_plan("user-1", "plan-1", Tier.FREE, [], None, NOW)


def every_region_flagged() -> list[Assessment]:
    # test 1 flags ankle, knee, hip, thoracic_spine, shoulder; 15 adds lower_back and core;
    # 14 adds neck. p1 = ankle, hip, thoracic_spine (2 each), core (1);
    # p2 = knee, shoulder (2 each), lower_back, neck (1 each)
    return [
        an_assessment(1, S.SIGNIFICANT, (R.ANKLE, R.KNEE, R.HIP, R.THORACIC_SPINE, R.SHOULDER)),
        an_assessment(15, S.LIMITED, (R.LOWER_BACK, R.CORE)),
        an_assessment(14, S.LIMITED, (R.NECK,)),
    ]


@pytest.mark.parametrize(
    ("tier", "p1", "p2"),
    [
        (Tier.BASIC, (R.ANKLE,), (R.KNEE,)),
        (Tier.PRO, (R.ANKLE, R.HIP), (R.KNEE, R.SHOULDER)),
        (
            Tier.PROPLUS,
            (R.ANKLE, R.HIP, R.THORACIC_SPINE, R.CORE),
            (R.KNEE, R.SHOULDER, R.LOWER_BACK, R.NECK),
        ),
    ],
)
def test_a_plan_works_on_the_regions_its_tier_allows(
    tier: Tier, p1: tuple[Region, ...], p2: tuple[Region, ...]
) -> None:
    plan = a_plan(*every_region_flagged(), tier=tier)
    assert (plan.p1, plan.p2) == (p1, p2)
    assert plan.tier is tier
    assert {e.problem_area for e in plan.exercises} == {r.value for r in p1 + p2}


def test_basic_pro_and_proplus_build_three_different_plans_from_the_same_results() -> None:
    results = every_region_flagged()
    plans = {tier: a_plan(*results, tier=tier) for tier in (Tier.BASIC, Tier.PRO, Tier.PROPLUS)}
    regions = {tier: (plan.p1, plan.p2) for tier, plan in plans.items()}
    work = {tier: {e.exercise_id for e in plan.exercises} for tier, plan in plans.items()}
    assert len(set(regions.values())) == 3
    # Each higher tier works on everything the lower one does, and more.
    assert work[Tier.BASIC] < work[Tier.PRO] < work[Tier.PROPLUS]
    assert [len(plans[t].p1) + len(plans[t].p2) for t in plans] == [2, 4, 8]


@given(st.sets(st.sampled_from(list(Region)), min_size=1))
def test_the_chain_allows_at_most_four_roots_and_four_consequences(
    flagged: set[Region],
) -> None:
    # Why pro's cap is 2: a cap of 4 would never bind, and pro would plan as proplus (170).
    p1, p2 = prioritise(dict.fromkeys(flagged, 1))
    assert len(p1) <= 4
    assert len(p2) <= 4


# exercises and phases


def test_root_regions_are_must_and_consequences_are_should() -> None:
    plan = a_plan(an_assessment(3, S.LIMITED, (R.ANKLE, R.KNEE)))
    priorities = {(e.problem_area, e.priority) for e in plan.exercises}
    assert priorities == {("ankle", Priority.MUST), ("knee", Priority.SHOULD)}


def test_a_corrective_plan_has_mobility_stability_and_integration_phases() -> None:
    plan = a_plan(an_assessment(3, S.LIMITED, (R.ANKLE, R.KNEE)))
    assert [p.focus for p in plan.phases] == list(CORRECTIVE_FOCUSES)
    assert [p.phase_id for p in plan.phases] == ["p1-mobility", "p2-stability", "p3-integration"]
    for phase in plan.phases:
        by_region = {
            region: [e for e in phase.exercises if plan.exercise(e).problem_area == region]
            for region in ("ankle", "knee")
        }
        for region, ids in by_region.items():
            assert len(ids) == 2
            assert all(exercise_by_id(e).focus is phase.focus for e in ids)
            assert all(exercise_by_id(e).region == region for e in ids)
        # root work is listed before consequence work
        assert phase.exercises == (*by_region["ankle"], *by_region["knee"])


def test_every_phase_exercise_is_one_of_the_plans_exercises_once() -> None:
    plan = a_plan(*every_region_flagged())
    listed = [e for p in plan.phases for e in p.exercises]
    assert sorted(listed) == sorted(e.exercise_id for e in plan.exercises)
    assert len(set(listed)) == len(listed)
    assert len(plan.exercises) == 8 * 3 * 2


def test_a_plan_copies_name_and_description_from_the_library() -> None:
    plan = a_plan()
    for exercise in plan.exercises:
        source = exercise_by_id(exercise.exercise_id)
        assert (exercise.name, exercise.description) == (source.name, source.description)


def test_no_region_weighing_four_gives_two_weeks_per_phase() -> None:
    weight_three = [
        an_assessment(1, S.SIGNIFICANT, (R.ANKLE,)),
        an_assessment(10, S.LIMITED, (R.ANKLE,)),
    ]
    plan = a_plan(*weight_three)
    assert [p.duration_weeks for p in plan.phases] == [2, 2, 2]
    assert plan.total_days == 42


def test_a_region_weighing_four_gives_three_three_two_weeks() -> None:
    weight_four = [
        an_assessment(1, S.SIGNIFICANT, (R.ANKLE,)),
        an_assessment(10, S.SIGNIFICANT, (R.ANKLE,)),
    ]
    plan = a_plan(*weight_four)
    assert [p.duration_weeks for p in plan.phases] == [3, 3, 2]
    assert plan.total_days == 56


def test_a_heavy_consequence_region_also_lengthens_the_plan() -> None:
    knee_heavy = [
        an_assessment(3, S.LIMITED, (R.ANKLE, R.KNEE)),
        an_assessment(5, S.SIGNIFICANT, (R.KNEE,)),
        an_assessment(2, S.LIMITED, (R.KNEE,)),
    ]
    plan = a_plan(*knee_heavy, tier=Tier.BASIC)
    assert plan.p2 == (R.KNEE,)
    assert [p.duration_weeks for p in plan.phases] == [3, 3, 2]


def test_nothing_flagged_gives_one_four_week_maintenance_phase() -> None:
    plan = a_plan(an_assessment(1, S.PASS, ()), an_assessment(6, S.PASS, ()))
    assert (plan.p1, plan.p2) == ((), ())
    (phase,) = plan.phases
    assert (phase.phase_id, phase.focus, phase.duration_weeks) == (
        "p1-maintenance",
        PhaseFocus.MAINTENANCE,
        4,
    )
    assert len(phase.exercises) >= 4
    assert {(e.priority, e.problem_area) for e in plan.exercises} == {(Priority.MUST, "general")}
    assert plan.based_on_tests == (1, 6)


def test_based_on_tests_lists_the_tests_used_in_order() -> None:
    plan = a_plan(
        an_assessment(7, S.PASS, ()),
        an_assessment(1, S.LIMITED, (R.HIP,)),
        an_assessment(1, S.LIMITED, (R.HIP,), created_at=NOW - timedelta(days=3)),
        an_assessment(3, status=AssessmentStatus.INVALID),
        an_assessment(12, created_at=NOW - timedelta(days=91)),
    )
    assert plan.based_on_tests == (1, 7)


# days and phases


def test_each_plan_day_falls_in_its_phase_and_later_days_in_the_last() -> None:
    plan = a_plan()  # 2/2/2 weeks
    assert plan.phase_on_day(1).focus is PhaseFocus.MOBILITY
    assert plan.phase_on_day(14).focus is PhaseFocus.MOBILITY
    assert plan.phase_on_day(15).focus is PhaseFocus.STABILITY
    assert plan.phase_on_day(28).focus is PhaseFocus.STABILITY
    assert plan.phase_on_day(29).focus is PhaseFocus.INTEGRATION
    assert plan.phase_on_day(42).focus is PhaseFocus.INTEGRATION
    assert plan.phase_on_day(43).focus is PhaseFocus.INTEGRATION
    assert plan.phase_on_day(400).focus is PhaseFocus.INTEGRATION


def test_there_is_no_plan_day_zero() -> None:
    with pytest.raises(ValidationFailed):
        a_plan().phase_on_day(0)


def test_an_exercise_outside_the_plan_is_not_found() -> None:
    plan = a_plan(an_assessment(10, S.LIMITED, (R.ANKLE,)))
    assert plan.exercise("ankle-mob-knee-to-wall").priority is Priority.MUST
    with pytest.raises(NotFound):
        plan.exercise("neck-stab-chin-tuck")


# versions and activity


def test_the_first_plan_is_version_one_and_active() -> None:
    plan = a_plan()
    assert (plan.version, plan.is_active) == (1, True)
    assert plan.created_at == plan.updated_at == NOW


def test_a_new_plan_follows_the_previous_version() -> None:
    assert a_plan(previous=1).version == 2
    assert a_plan(previous=7).version == 8


def test_deactivating_keeps_the_plan_but_marks_it_inactive() -> None:
    plan = a_plan()
    later = NOW + timedelta(days=3)
    inactive = deactivate(plan, later)
    assert not inactive.is_active
    assert inactive.updated_at == later
    assert (inactive.version, inactive.created_at, inactive.phases) == (
        plan.version,
        plan.created_at,
        plan.phases,
    )
    assert deactivate(inactive, later + timedelta(days=1)) == inactive


# the exercise library


@pytest.mark.parametrize("region", list(Region))
@pytest.mark.parametrize("focus", list(CORRECTIVE_FOCUSES))
def test_every_region_has_at_least_two_exercises_per_focus(
    region: Region, focus: PhaseFocus
) -> None:
    found = exercises_for(region, focus)
    assert len(found) >= 2
    assert all(e.region is region and e.focus is focus for e in found)


def test_there_are_at_least_four_general_maintenance_exercises() -> None:
    general = exercises_for(None, PhaseFocus.MAINTENANCE)
    assert len(general) >= 4
    assert all(e.region is None for e in general)


def test_exercise_ids_and_names_are_unique() -> None:
    assert len({e.exercise_id for e in LIBRARY}) == len(LIBRARY)
    assert len({e.name for e in LIBRARY}) == len(LIBRARY)


def test_an_unknown_exercise_id_is_not_found() -> None:
    assert exercise_by_id("core-stab-dead-bug").name == "Dead Bug"
    with pytest.raises(NotFound):
        exercise_by_id("core-stab-sit-up")


def test_every_catalog_region_can_be_planned() -> None:
    screened = {region for test in CATALOG for region in test.regions}
    assert screened == set(Region)


# dosage on plan exercises


def test_every_plan_exercise_stores_its_library_prescription() -> None:
    for tier in (Tier.BASIC, Tier.PROPLUS):
        plan = a_plan(*every_region_flagged(), tier=tier)
        assert plan.exercises
        for exercise in plan.exercises:
            assert exercise.dosage == exercise_by_id(exercise.exercise_id).dosage


def test_a_maintenance_plan_stores_prescriptions_too() -> None:
    plan = a_plan(an_assessment(1, S.PASS, ()))
    assert all(e.dosage is not None for e in plan.exercises)


@pytest.mark.parametrize(
    ("day", "week"), [(1, 0), (7, 0), (8, 1), (14, 1), (15, 0), (21, 0), (22, 1), (42, 1), (43, 2)]
)
def test_weeks_are_counted_from_the_start_of_each_phase(day: int, week: int) -> None:
    plan = a_plan(an_assessment(3, S.LIMITED, (R.ANKLE, R.KNEE)))  # 2/2/2 weeks
    assert plan.week_in_phase(day) == week


def test_retest_days_are_the_last_day_of_each_corrective_phase() -> None:
    standard = a_plan(an_assessment(3, S.LIMITED, (R.ANKLE, R.KNEE)))
    heavy = a_plan(an_assessment(3, S.SIGNIFICANT, (R.ANKLE,)), an_assessment(10, S.SIGNIFICANT))
    assert standard.retest_days() == (14, 28, 42)
    assert heavy.retest_days() == (21, 42, 56)
    assert a_plan(an_assessment(1, S.PASS, ())).retest_days() == ()


def test_the_dosage_of_a_day_progresses_inside_its_phase_and_restarts_with_the_next() -> None:
    plan = a_plan(an_assessment(3, S.LIMITED, (R.ANKLE, R.KNEE)))
    mobility = plan.phases[0].exercises[0]
    base = exercise_by_id(mobility).dosage
    assert plan.dosage_on_day(mobility, 1) == base
    assert plan.dosage_on_day(mobility, 8) == base.progressed(1)
    stability = plan.phases[1].exercises[0]
    assert plan.dosage_on_day(stability, 15) == exercise_by_id(stability).dosage
