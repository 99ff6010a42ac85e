"""POST /v1/me/assessments: start one attempt of a test, if every limit allows it (SPEC.md 1, 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.retry import retry_on_conflict
from domain.assessment import Assessment, start_assessment
from domain.catalog import MovementTest, test_by_id
from domain.errors import NotFound
from domain.limits import Admitted, decide_start
from domain.user import require_disclaimer
from ports.assessments import AssessmentRepository
from ports.clock import Clock
from ports.ids import IdSource
from ports.limits import LimitsRepository
from ports.users import UserRepository
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
    """

    def __init__(
        self,
        users: UserRepository,
        limits: LimitsRepository,
        assessments: AssessmentRepository,
        videos: VideoStorage,
        ids: IdSource,
        clock: Clock,
    ) -> None:
        self._users = users
        self._limits = limits
        self._assessments = assessments
        self._videos = videos
        self._ids = ids
        self._clock = clock

    def execute(self, request: StartAttemptRequest) -> StartedAttempt:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("no profile: register with PUT /v1/me")
        require_disclaimer(user)
        test = test_by_id(request.test_id)
        # One id for every try: a lost race writes nothing, so the id is still unused.
        assessment_id = self._ids.new_id()
        return retry_on_conflict(lambda: self._start(request.user_id, test, assessment_id))

    def _start(self, user_id: str, test: MovementTest, assessment_id: str) -> StartedAttempt:
        limits = self._limits.get(user_id)
        if limits is None:
            raise NotFound("no limits: register with PUT /v1/me")
        now = self._clock.now()
        decision = decide_start(limits, test.test_id, now)
        if not isinstance(decision, Admitted):
            if decision.must_write:
                self._limits.save(decision.limits)
            raise decision.error
        target = self._videos.upload_target(user_id, assessment_id, now)
        assessment = start_assessment(
            user_id, assessment_id, test, decision.attempt_number, target.video_url, now
        )
        self._assessments.start(assessment, decision.limits)
        return StartedAttempt(assessment, target.upload_url, target.expires_at)
