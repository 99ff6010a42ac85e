"""Worker: the analysis of an attempt's video is in (SPEC.md 4, 7)."""

from __future__ import annotations

from dataclasses import dataclass

from application.retry import retry_on_conflict
from domain.assessment import (
    Assessment,
    AssessmentStatus,
    QualityThresholds,
    WorkerReport,
    complete,
)
from domain.errors import NotFound
from domain.progress import Progress, add_improvement, improvement
from domain.scores import Score
from domain.user import User, local_today
from ports.assessments import AssessmentRepository
from ports.clock import Clock
from ports.progress import ProgressRepository
from ports.snapshots import SnapshotReader, SnapshotRequest


@dataclass(frozen=True, slots=True)
class CompleteAttemptRequest:
    user_id: str
    assessment_id: str
    report: WorkerReport


class CompleteAttempt:
    """Applies the worker's report to a `processing` attempt.

    Rules enforced:
    - Unknown attempt: NOT_FOUND. Not `processing` any more: INVALID_TRANSITION.
    - The quality gate (thresholds given at construction) makes it `invalid` with the reason
      as feedback; otherwise the verdict is validated against the test (VALIDATION_ERROR) and
      the attempt is `completed`. Either way `completed_at` is now.
    - A `completed` attempt with an earlier completed attempt of the same test records a test
      improvement (50 · old severity − new severity) on the progress item of the user's local
      today; "earlier" is by start time (decision 071). Attempt and progress are written in
      one atomic write, re-read and re-decided when the progress item moved meanwhile.
    Attempt, profile and the previous completed attempt of the test are read with one snapshot
    (decisions 115 and 124: one Query of the user's items where the store keeps them together);
    the date's progress item is read only when there is an improvement to record.
    """

    def __init__(
        self,
        snapshots: SnapshotReader,
        assessments: AssessmentRepository,
        progress: ProgressRepository,
        clock: Clock,
        thresholds: QualityThresholds | None = None,
    ) -> None:
        self._snapshots = snapshots
        self._assessments = assessments
        self._progress = progress
        self._clock = clock
        self._thresholds = thresholds if thresholds is not None else QualityThresholds()

    def execute(self, request: CompleteAttemptRequest) -> Assessment:
        return retry_on_conflict(lambda: self._complete(request))

    def _complete(self, request: CompleteAttemptRequest) -> Assessment:
        seen = self._snapshots.read(
            SnapshotRequest(
                request.user_id,
                user=True,
                assessment_id=request.assessment_id,
                previous_completed=True,
            )
        )
        if seen.assessment is None:
            raise NotFound("no such assessment")
        now = self._clock.now()
        finished = complete(seen.assessment, request.report, self._thresholds, now)
        progress = self._improvement(finished, seen.user, seen.previous)
        self._assessments.finish(finished, progress=progress)
        return finished

    def _improvement(
        self, finished: Assessment, user: User | None, previous: Assessment | None
    ) -> Progress | None:
        if finished.status != AssessmentStatus.COMPLETED or finished.result is None:
            return None
        if previous is None or previous.result is None or user is None:
            return None
        now = finished.completed_at or self._clock.now()
        day = local_today(user, now)
        entry = improvement(
            finished.test_id, Score(previous.result.score), Score(finished.result.score)
        )
        stored = self._progress.get(finished.user_id, day)
        updated = add_improvement(stored, finished.user_id, day, entry, now)
        return None if updated is stored else updated
