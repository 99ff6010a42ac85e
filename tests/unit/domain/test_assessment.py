"""Assessment life cycle, quality gate and result validation (SPEC.md section 4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.assessment import (
    STALE_FEEDBACK,
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    QualityThresholds,
    WorkerReport,
    complete,
    fail,
    is_stale,
    start_assessment,
    unusable_video_reason,
    validate_result,
)
from domain.catalog import test_by_id as catalog_test
from domain.errors import InvalidTransition, ValidationFailed
from domain.regions import Region
from domain.scores import Score

NOW = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
LATER = NOW + timedelta(minutes=3)
GATE = QualityThresholds()
OVERHEAD_SQUAT = catalog_test(1)


def a_result(
    score: Score = Score.LIMITED,
    areas: tuple[Region, ...] = (Region.ANKLE,),
    confidence: float = 0.9,
) -> AssessmentResult:
    return AssessmentResult(
        score=score, confidence=confidence, problem_areas=areas, normalized_output={"k": 1}
    )


def a_report(
    quality: float = 0.9,
    confidence: float = 0.9,
    motion: float = 0.5,
    result: AssessmentResult | None = None,
) -> WorkerReport:
    return WorkerReport(
        quality_score=quality,
        confidence_avg=confidence,
        motion_variance=motion,
        result=result if result is not None else a_result(),
    )


def a_started(test_id: int = 1, now: datetime = NOW) -> Assessment:
    return start_assessment(
        "user-1", "assessment-1", catalog_test(test_id), 1, "s3://videos/user-1/a1.mp4", now
    )


# start


def test_a_started_assessment_is_processing_in_the_month_it_started() -> None:
    started = a_started()
    assert started.status is AssessmentStatus.PROCESSING
    assert (started.test_id, started.test_name) == (1, "Overhead Squat")
    assert started.month_key == "2026-03"
    assert started.created_at == NOW
    assert started.attempt_number == 1
    assert started.video_url == "s3://videos/user-1/a1.mp4"
    assert started.result is None
    assert started.completed_at is None


def test_the_month_key_follows_utc_not_the_offset_of_now() -> None:
    moscow = timezone(timedelta(hours=3))
    assert a_started(now=datetime(2026, 4, 1, 1, 30, tzinfo=moscow)).month_key == "2026-03"
    assert a_started(now=datetime(2026, 4, 1, 3, 0, tzinfo=moscow)).month_key == "2026-04"


def test_an_attempt_number_below_one_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        start_assessment("u", "a", OVERHEAD_SQUAT, 0, "s3://b/k", NOW)


# quality gate: each threshold at its exact boundary


def test_a_report_at_every_minimum_completes() -> None:
    done = complete(a_started(), a_report(quality=0.5, confidence=0.6, motion=0.05), GATE, LATER)
    assert done.status is AssessmentStatus.COMPLETED
    assert done.feedback is None
    assert done.completed_at == LATER


def test_quality_just_below_half_is_low_video_quality() -> None:
    done = complete(a_started(), a_report(quality=0.4999), GATE, LATER)
    assert done.status is AssessmentStatus.INVALID
    assert done.feedback == "LOW_VIDEO_QUALITY"


def test_confidence_just_below_the_minimum_is_pose_not_detected() -> None:
    done = complete(a_started(), a_report(confidence=0.5999), GATE, LATER)
    assert done.status is AssessmentStatus.INVALID
    assert done.feedback == "POSE_NOT_DETECTED"


def test_motion_just_below_the_minimum_is_no_movement() -> None:
    done = complete(a_started(), a_report(motion=0.0499), GATE, LATER)
    assert done.status is AssessmentStatus.INVALID
    assert done.feedback == "NO_MOVEMENT"


def test_the_gate_checks_quality_before_confidence_before_movement() -> None:
    everything_bad = a_report(quality=0.1, confidence=0.1, motion=0.0)
    assert complete(a_started(), everything_bad, GATE, LATER).feedback == "LOW_VIDEO_QUALITY"
    no_pose_no_motion = a_report(confidence=0.1, motion=0.0)
    assert complete(a_started(), no_pose_no_motion, GATE, LATER).feedback == "POSE_NOT_DETECTED"


def test_thresholds_are_configurable() -> None:
    strict = QualityThresholds(min_quality_score=0.8, min_confidence_avg=0.6)
    assert complete(a_started(), a_report(quality=0.7), strict, LATER).feedback == (
        "LOW_VIDEO_QUALITY"
    )
    lenient = QualityThresholds(min_motion_variance=0.0)
    assert complete(a_started(), a_report(motion=0.0), lenient, LATER).status is (
        AssessmentStatus.COMPLETED
    )


@given(
    quality=st.floats(0, 1),
    confidence=st.floats(0, 1),
    motion=st.floats(0, 1),
)
def test_the_gate_refuses_exactly_the_reports_below_some_minimum(
    quality: float, confidence: float, motion: float
) -> None:
    report = a_report(quality=quality, confidence=confidence, motion=motion)
    below_some_minimum = quality < 0.5 or confidence < 0.6 or motion < 0.05
    assert (unusable_video_reason(report, GATE) is not None) == below_some_minimum


def test_an_invalid_attempt_keeps_the_metrics_and_drops_the_verdict() -> None:
    done = complete(a_started(), a_report(quality=0.3, confidence=0.7, motion=0.2), GATE, LATER)
    assert (done.quality_score, done.confidence_avg, done.motion_variance) == (0.3, 0.7, 0.2)
    assert done.result is None
    assert done.completed_at == LATER


def test_an_unusable_video_with_a_nonsense_verdict_is_still_recorded_invalid() -> None:
    nonsense = a_result(score=Score.PASS, areas=(Region.NECK,))
    done = complete(a_started(), a_report(motion=0.0, result=nonsense), GATE, LATER)
    assert done.status is AssessmentStatus.INVALID


def test_a_completed_attempt_stores_metrics_and_result() -> None:
    result = a_result(Score.SIGNIFICANT, (Region.HIP, Region.SHOULDER))
    done = complete(a_started(), a_report(0.8, 0.7, 0.3, result), GATE, LATER)
    assert done.result == result
    assert (done.quality_score, done.confidence_avg, done.motion_variance) == (0.8, 0.7, 0.3)


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), float("inf")])
def test_a_report_metric_outside_zero_to_one_is_refused(bad: float) -> None:
    with pytest.raises(ValidationFailed):
        a_report(quality=bad)
    with pytest.raises(ValidationFailed):
        a_report(confidence=bad)
    with pytest.raises(ValidationFailed):
        a_report(motion=bad)


def test_a_report_metric_of_exactly_zero_or_one_is_accepted() -> None:
    assert a_report(quality=1.0, confidence=0.0, motion=1).quality_score == 1.0


# transitions


Move = Callable[[Assessment], Assessment]
MOVES: dict[str, Move] = {
    "complete": lambda a: complete(a, a_report(), GATE, LATER),
    "invalidate": lambda a: complete(a, a_report(quality=0.1), GATE, LATER),
    "fail": lambda a: fail(a, "worker crashed", LATER),
}


@pytest.mark.parametrize("first", list(MOVES))
@pytest.mark.parametrize("second", list(MOVES))
def test_a_finished_attempt_never_moves_again(first: str, second: str) -> None:
    finished = MOVES[first](a_started())
    assert finished.status.is_terminal
    with pytest.raises(InvalidTransition) as raised:
        MOVES[second](finished)
    assert raised.value.code == "INVALID_TRANSITION"


@pytest.mark.parametrize(
    ("move", "status"),
    [
        ("complete", AssessmentStatus.COMPLETED),
        ("invalidate", AssessmentStatus.INVALID),
        ("fail", AssessmentStatus.FAILED),
    ],
)
def test_processing_moves_to_each_terminal_state_with_its_finish_time(
    move: str, status: AssessmentStatus
) -> None:
    finished = MOVES[move](a_started())
    assert finished.status is status
    assert finished.completed_at == LATER


def test_the_transition_is_checked_before_the_verdict() -> None:
    finished = MOVES["complete"](a_started())
    bad_verdict = a_report(result=a_result(Score.PASS, (Region.ANKLE,)))
    with pytest.raises(InvalidTransition):
        complete(finished, bad_verdict, GATE, LATER)


def test_a_failure_records_its_feedback() -> None:
    failed = fail(a_started(), "  decoder error  ", LATER)
    assert failed.status is AssessmentStatus.FAILED
    assert failed.feedback == "decoder error"
    assert failed.result is None


@pytest.mark.parametrize("feedback", ["", "   ", "x" * 501])
def test_failure_feedback_must_be_one_to_five_hundred_characters(feedback: str) -> None:
    with pytest.raises(ValidationFailed):
        fail(a_started(), feedback, LATER)


def test_failure_feedback_of_exactly_five_hundred_characters_is_kept() -> None:
    assert fail(a_started(), "x" * 500, LATER).feedback == "x" * 500


# result validation


def test_a_consistent_verdict_is_accepted() -> None:
    validate_result(OVERHEAD_SQUAT, a_result(Score.PASS, ()))
    validate_result(OVERHEAD_SQUAT, a_result(Score.LIMITED, (Region.ANKLE,)))
    validate_result(OVERHEAD_SQUAT, a_result(Score.SIGNIFICANT, (Region.KNEE, Region.SHOULDER)))


@pytest.mark.parametrize(
    "result",
    [
        pytest.param(a_result(Score.PASS, (Region.ANKLE,)), id="pass-with-areas"),
        pytest.param(a_result(Score.LIMITED, ()), id="limited-without-areas"),
        pytest.param(a_result(Score.SIGNIFICANT, ()), id="significant-without-areas"),
        pytest.param(a_result(Score.LIMITED, (Region.NECK,)), id="area-not-screened"),
        pytest.param(a_result(Score.LIMITED, (cast(Region, "elbow"),)), id="unknown-area"),
        pytest.param(a_result(Score.LIMITED, (Region.HIP, Region.HIP)), id="duplicate-area"),
        pytest.param(a_result(cast(Score, "meh"), ()), id="unknown-score"),
        pytest.param(a_result(confidence=1.0001), id="confidence-above-one"),
        pytest.param(a_result(confidence=-0.1), id="confidence-below-zero"),
        pytest.param(a_result(confidence=float("nan")), id="confidence-nan"),
    ],
)
def test_an_inconsistent_verdict_is_refused(result: AssessmentResult) -> None:
    with pytest.raises(ValidationFailed):
        validate_result(OVERHEAD_SQUAT, result)


def test_an_area_is_checked_against_the_test_of_the_attempt() -> None:
    neck = a_result(Score.LIMITED, (Region.NECK,))
    validate_result(catalog_test(14), neck)
    with pytest.raises(ValidationFailed):
        complete(a_started(test_id=1), a_report(result=neck), GATE, LATER)
    done = complete(a_started(test_id=14), a_report(result=neck), GATE, LATER)
    assert done.status is AssessmentStatus.COMPLETED


def test_a_refused_verdict_leaves_the_attempt_processing() -> None:
    started = a_started()
    with pytest.raises(ValidationFailed):
        complete(started, a_report(result=a_result(Score.LIMITED, ())), GATE, LATER)
    assert started.status is AssessmentStatus.PROCESSING


# staleness


def test_an_attempt_processing_exactly_one_hour_is_not_yet_stale() -> None:
    assert not is_stale(a_started(), NOW + timedelta(hours=1))


def test_an_attempt_processing_just_over_one_hour_is_stale() -> None:
    assert is_stale(a_started(), NOW + timedelta(hours=1, microseconds=1))


def test_a_finished_attempt_is_never_stale() -> None:
    finished = MOVES["complete"](a_started())
    assert not is_stale(finished, NOW + timedelta(days=2))


def test_the_maximum_age_is_a_parameter() -> None:
    started = a_started()
    assert is_stale(started, NOW + timedelta(minutes=11), max_age=timedelta(minutes=10))
    assert not is_stale(started, NOW + timedelta(minutes=10), max_age=timedelta(minutes=10))


def test_a_stale_attempt_is_swept_to_failed_with_the_timeout_feedback() -> None:
    swept = fail(a_started(), STALE_FEEDBACK, NOW + timedelta(hours=2))
    assert swept.status is AssessmentStatus.FAILED
    assert swept.feedback == "PROCESSING_TIMEOUT"


def test_statuses_read_as_the_schema_spells_them() -> None:
    assert [str(s) for s in AssessmentStatus] == ["processing", "completed", "failed", "invalid"]
    assert replace(a_started(), status=AssessmentStatus.FAILED).status.is_terminal
