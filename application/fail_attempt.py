"""Worker: the analysis of an attempt broke on our side (SPEC.md 1, 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.retry import retry_on_conflict
from domain.assessment import Assessment, fail
from domain.errors import NotFound
from domain.limits import UserLimits, refund_failed_attempt
from ports.assessments import AssessmentRepository
from ports.clock import Clock
from ports.limits import LimitsRepository
from ports.snapshots import SnapshotReader, SnapshotRequest


@dataclass(frozen=True, slots=True)
class FailAttemptRequest:
    user_id: str
    assessment_id: str
    feedback: str


class FailAttempt:
    """Moves a `processing` attempt to `failed` and gives its video units back.

    Rules enforced:
    - Unknown attempt: NOT_FOUND. Not `processing` any more: INVALID_TRANSITION.
    - The feedback is trimmed and has 1..500 characters (VALIDATION_ERROR, decision 023).
    - The hourly and daily video units come back while the attempt's windows are current
      (decision 011), in the same atomic write as the status, so an attempt is refunded once.
    - The limits write is revision-guarded; a conflict re-reads and decides again.
    Attempt and limits are read together when a SnapshotReader is given (decision 115).
    """

    def __init__(
        self,
        assessments: AssessmentRepository,
        limits: LimitsRepository,
        clock: Clock,
        snapshots: SnapshotReader | None = None,
    ) -> None:
        self._assessments = assessments
        self._limits = limits
        self._clock = clock
        self._snapshots = snapshots

    def execute(self, request: FailAttemptRequest) -> Assessment:
        return retry_on_conflict(lambda: self._fail(request))

    def _fail(self, request: FailAttemptRequest) -> Assessment:
        assessment, limits = self._read(request)
        if assessment is None:
            raise NotFound("no such assessment")
        now = self._clock.now()
        failed = fail(assessment, request.feedback, now)
        self._assessments.finish(failed, refund=_refund(limits, failed, now))
        return failed

    def _read(self, request: FailAttemptRequest) -> tuple[Assessment | None, UserLimits | None]:
        if self._snapshots is None:
            return (
                self._assessments.get(request.user_id, request.assessment_id),
                self._limits.get(request.user_id),
            )
        seen = self._snapshots.read(
            SnapshotRequest(request.user_id, limits=True, assessment_id=request.assessment_id)
        )
        return seen.assessment, seen.limits


def _refund(limits: UserLimits | None, failed: Assessment, now: datetime) -> UserLimits | None:
    """The limits with the attempt's units given back, or None when nothing changes."""
    if limits is None:
        return None
    refunded = refund_failed_attempt(limits, failed.created_at, now)
    return None if refunded is limits else refunded
