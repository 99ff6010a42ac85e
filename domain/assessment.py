"""Assessments: one filmed attempt of a movement test and its life cycle (SPEC.md section 4).

`processing` moves once, to `completed`, `invalid` or `failed`; every other move is
INVALID_TRANSITION. The worker's report goes through the quality gate (quality, then pose
confidence, then movement) before its verdict is trusted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.catalog import MovementTest, test_by_id
from domain.errors import InvalidTransition, ValidationFailed
from domain.regions import Region
from domain.scores import Score
from domain.windows import month_key


class AssessmentStatus(StrEnum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    INVALID = "invalid"

    @property
    def is_terminal(self) -> bool:
        """Every status but `processing` is final."""
        return self != AssessmentStatus.PROCESSING


class UnusableVideo(StrEnum):
    """Feedback of an `invalid` attempt: why the video could not be analysed."""

    LOW_VIDEO_QUALITY = "LOW_VIDEO_QUALITY"
    POSE_NOT_DETECTED = "POSE_NOT_DETECTED"
    NO_MOVEMENT = "NO_MOVEMENT"


STALE_FEEDBACK = "PROCESSING_TIMEOUT"
STALE_AFTER = timedelta(hours=1)
MAX_FEEDBACK_LENGTH = 500

_VOCABULARY: frozenset[str] = frozenset(Region)
_SCORES: frozenset[str] = frozenset(Score)


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """The worker's verdict. Checked against the test by `validate_result`, not on construction,
    because the verdict of an unusable video is discarded rather than refused (decision 020)."""

    score: Score
    confidence: float
    problem_areas: tuple[Region, ...] = ()
    normalized_output: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    user_id: str
    assessment_id: str
    test_id: int
    test_name: str
    video_url: str
    status: AssessmentStatus
    attempt_number: int
    month_key: str
    created_at: datetime
    quality_score: float | None = None
    confidence_avg: float | None = None
    motion_variance: float | None = None
    result: AssessmentResult | None = None
    feedback: str | None = None
    completed_at: datetime | None = None


def _in_unit_interval(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0.0 <= value <= 1.0
    )


def _must_be_in_unit_interval(name: str, value: object) -> None:
    if not _in_unit_interval(value):
        raise ValidationFailed(f"{name} must be a finite number in [0, 1], got {value!r}")


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """The quality gate's minimums; a metric equal to its minimum passes."""

    min_quality_score: float = 0.5
    min_confidence_avg: float = 0.6
    min_motion_variance: float = 0.05

    def __post_init__(self) -> None:
        _must_be_in_unit_interval("min_quality_score", self.min_quality_score)
        _must_be_in_unit_interval("min_confidence_avg", self.min_confidence_avg)
        _must_be_in_unit_interval("min_motion_variance", self.min_motion_variance)


@dataclass(frozen=True, slots=True)
class WorkerReport:
    """What the analysis worker reports for one video; its metrics are checked on construction."""

    quality_score: float
    confidence_avg: float
    motion_variance: float
    result: AssessmentResult

    def __post_init__(self) -> None:
        _must_be_in_unit_interval("quality_score", self.quality_score)
        _must_be_in_unit_interval("confidence_avg", self.confidence_avg)
        _must_be_in_unit_interval("motion_variance", self.motion_variance)


def start_assessment(
    user_id: str,
    assessment_id: str,
    test: MovementTest,
    attempt_number: int,
    video_url: str,
    now: datetime,
) -> Assessment:
    """A new attempt of `test`, `processing` until the worker answers."""
    if attempt_number < 1:
        raise ValidationFailed(f"attempt_number starts at 1, got {attempt_number}")
    if not video_url:
        raise ValidationFailed("video_url must not be empty")
    return Assessment(
        user_id=user_id,
        assessment_id=assessment_id,
        test_id=test.test_id,
        test_name=test.name,
        video_url=video_url,
        status=AssessmentStatus.PROCESSING,
        attempt_number=attempt_number,
        month_key=month_key(now),
        created_at=now,
    )


def validate_result(test: MovementTest, result: AssessmentResult) -> None:
    """VALIDATION_ERROR unless the verdict is consistent and names only regions `test` screens."""
    if result.score not in _SCORES:
        raise ValidationFailed(f"score must be one of {sorted(_SCORES)}, got {result.score!r}")
    _must_be_in_unit_interval("result.confidence", result.confidence)
    areas = result.problem_areas
    unknown = [area for area in areas if area not in _VOCABULARY]
    if unknown:
        raise ValidationFailed(f"unknown problem areas {unknown}")
    if len(set(areas)) != len(areas):
        raise ValidationFailed(f"problem areas repeat: {list(areas)}")
    not_screened = [area for area in areas if not test.screens(Region(area))]
    if not_screened:
        raise ValidationFailed(f"test {test.test_id} does not screen {not_screened}")
    score = Score(result.score)
    if score is Score.PASS and areas:
        raise ValidationFailed("a pass has no problem areas")
    if score.flags_regions and not areas:
        raise ValidationFailed(f"a {score} result names at least one problem area")


def unusable_video_reason(
    report: WorkerReport, thresholds: QualityThresholds
) -> UnusableVideo | None:
    """Why the video is unusable, checking quality, then pose confidence, then movement."""
    if report.quality_score < thresholds.min_quality_score:
        return UnusableVideo.LOW_VIDEO_QUALITY
    if report.confidence_avg < thresholds.min_confidence_avg:
        return UnusableVideo.POSE_NOT_DETECTED
    if report.motion_variance < thresholds.min_motion_variance:
        return UnusableVideo.NO_MOVEMENT
    return None


def _only_processing_moves(assessment: Assessment, target: AssessmentStatus) -> None:
    if assessment.status != AssessmentStatus.PROCESSING:
        raise InvalidTransition(f"assessment is {assessment.status}; it cannot become {target}")


def complete(
    assessment: Assessment, report: WorkerReport, thresholds: QualityThresholds, now: datetime
) -> Assessment:
    """The worker's report applied: `invalid` if the gate refuses the video, else `completed`."""
    reason = unusable_video_reason(report, thresholds)
    target = AssessmentStatus.COMPLETED if reason is None else AssessmentStatus.INVALID
    _only_processing_moves(assessment, target)
    measured = replace(
        assessment,
        quality_score=report.quality_score,
        confidence_avg=report.confidence_avg,
        motion_variance=report.motion_variance,
        completed_at=now,  # set on every terminal state (decision 021)
    )
    if reason is not None:
        # The verdict of an unusable video is noise: keep the metrics, drop the result (020).
        return replace(measured, status=target, feedback=str(reason), result=None)
    validate_result(test_by_id(assessment.test_id), report.result)
    return replace(measured, status=target, result=report.result, feedback=None)


def fail(assessment: Assessment, feedback: str, now: datetime) -> Assessment:
    """Our processing broke: `failed` with a reason of 1..500 characters (decision 023)."""
    _only_processing_moves(assessment, AssessmentStatus.FAILED)
    reason = feedback.strip()
    if not reason:
        raise ValidationFailed("failure feedback must not be empty")
    if len(reason) > MAX_FEEDBACK_LENGTH:
        raise ValidationFailed(f"failure feedback is at most {MAX_FEEDBACK_LENGTH} characters")
    return replace(assessment, status=AssessmentStatus.FAILED, feedback=reason, completed_at=now)


def is_stale(assessment: Assessment, now: datetime, max_age: timedelta = STALE_AFTER) -> bool:
    """Still `processing` more than `max_age` after it started (decision 022)."""
    return (
        assessment.status == AssessmentStatus.PROCESSING and now - assessment.created_at > max_age
    )


def previous_completed(attempt: Assessment, attempts: Iterable[Assessment]) -> Assessment | None:
    """The latest completed attempt of the same test started before `attempt` (decision 071);
    among attempts started at the same instant, the greatest id."""
    earlier = [
        a
        for a in attempts
        if a.test_id == attempt.test_id
        and a.status == AssessmentStatus.COMPLETED
        and a.created_at < attempt.created_at
    ]
    return max(earlier, key=lambda a: (a.created_at, a.assessment_id), default=None)
