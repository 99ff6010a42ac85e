"""POST /v1/me/assessments: start one attempt of a test, if every limit allows it (SPEC.md 1, 4)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from application.retry import retry_on_conflict
from domain.assessment import Assessment, start_assessment
from domain.catalog import test_by_id
from domain.errors import NotFound
from domain.limits import Admitted, decide_start
from domain.user import require_disclaimer
from ports.assessments import AssessmentRepository
from ports.clock import Clock
from ports.ids import IdSource
from ports.limits import LimitsRepository
from ports.snapshots import SnapshotReader, SnapshotRequest
from ports.video_storage import VideoStorage


@dataclass(frozen=True, slots=True)
class StartAttemptRequest:
    user_id: str
    test_id: int


@dataclass(frozen=True, slots=True)
class StartedAttempt:
    """The new `processing` attempt and where the phone uploads its video."""

    assessment: Assessment
    upload_url: str
    upload_expires_at: datetime


class StartAttempt:
    """Admits a start against the quotas and creates the attempt, all or nothing.

    Rules enforced, first failure wins:
    - No profile: NOT_FOUND. Disclaimer not accepted: DISCLAIMER_REQUIRED.
    - `test_id` outside the catalog: VALIDATION_ERROR.
    - Then the limits, in the order of decision 010: BANNED, QUOTA_HOURLY, QUOTA_DAILY,
      ATTEMPTS_PER_TEST, QUOTA_MONTHLY_TESTS. A refusal by a video quota is an abuse strike
      that is written before the error is raised (the 10th in an hour bans: BANNED).
    - Admission moves every counter and creates the attempt in one revision-guarded write; a
      concurrent start that won the race makes this one re-read and decide again, so no more
      starts are admitted than the limits allow (decision 053).
    Profile and limits are read together (decision 115): a start is one read and one write.
    """

    def __init__(
        self,
        snapshots: SnapshotReader,
        limits: LimitsRepository,
        assessments: AssessmentRepository,
        videos: VideoStorage,
        ids: IdSource,
        clock: Clock,
    ) -> None:
        self._snapshots = snapshots
        self._limits = limits
        self._assessments = assessments
        self._videos = videos
        self._ids = ids
        self._clock = clock

    def execute(self, request: StartAttemptRequest) -> StartedAttempt:
        # One id for every try, drawn once admitted: a lost race writes nothing, so it is unused.
        new_id = functools.cache(self._ids.new_id)
        return retry_on_conflict(lambda: self._start(request, new_id))

    def _start(self, request: StartAttemptRequest, new_id: Callable[[], str]) -> StartedAttempt:
        user_id = request.user_id
        seen = self._snapshots.read(SnapshotRequest(user_id, user=True, limits=True))
        if seen.user is None:
            raise NotFound("no profile: register with PUT /v1/me")
        require_disclaimer(seen.user)
        test = test_by_id(request.test_id)
        limits = seen.limits
        if limits is None:
            raise NotFound("no limits: register with PUT /v1/me")
        now = self._clock.now()
        decision = decide_start(limits, test.test_id, now)
        if not isinstance(decision, Admitted):
            if decision.must_write:
                self._limits.save(decision.limits)
            raise decision.error
        assessment_id = new_id()
        target = self._videos.upload_target(user_id, assessment_id, now)
        assessment = start_assessment(
            user_id, assessment_id, test, decision.attempt_number, target.video_url, now
        )
        self._assessments.start(assessment, decision.limits)
        return StartedAttempt(assessment, target.upload_url, target.expires_at)
