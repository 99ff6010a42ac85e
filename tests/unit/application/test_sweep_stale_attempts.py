"""Sweeping attempts stuck in `processing` (SPEC.md 4, decisions 022 and 073)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.complete_attempt import CompleteAttempt, CompleteAttemptRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from application.sweep_stale_attempts import SweepStaleAttempts, SweepStaleAttemptsRequest
from domain.assessment import (
    STALE_FEEDBACK,
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    WorkerReport,
)
from domain.calendar import CalendarTask
from domain.limits import UserLimits
from domain.progress import Progress
from domain.scores import Score
from ports.assessments import AssessmentRepository
from ports.pagination import Page
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW

PASS = WorkerReport(0.9, 0.9, 0.3, AssessmentResult(Score.PASS, 0.9))


class Users:
    def __init__(
        self, stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
    ) -> None:
        self.stores = stores
        self.clock = clock
        self._start = StartAttempt(
            stores.snapshots, stores.limits, stores.assessments, videos, ids, clock
        )

    def start(self, user_id: str, test_id: int = 1) -> str:
        if self.stores.users.get(user_id) is None:
            RegisterUser(self.stores.users, self.clock).execute(
                RegisterUserRequest(user_id, f"{user_id}@example.com")
            )
            AcceptDisclaimer(self.stores.users, self.clock).execute(
                AcceptDisclaimerRequest(user_id)
            )
        return self._start.execute(StartAttemptRequest(user_id, test_id)).assessment.assessment_id

    def status(self, user_id: str, assessment_id: str) -> AssessmentStatus:
        stored = self.stores.assessments.get(user_id, assessment_id)
        assert stored is not None
        return stored.status

    def sweep(self, assessments: AssessmentRepository | None = None) -> int:
        sweeper = SweepStaleAttempts(
            assessments if assessments is not None else self.stores.assessments,
            self.stores.limits,
            self.clock,
        )
        return sweeper.execute(SweepStaleAttemptsRequest())


def test_an_attempt_processing_for_over_an_hour_is_failed_and_refunded(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    users = Users(stores, clock, ids, videos)
    attempt_id = users.start("user-1")
    clock.advance(timedelta(hours=1, milliseconds=1))
    assert users.sweep() == 1
    stored = stores.assessments.get("user-1", attempt_id)
    assert stored is not None
    assert (stored.status, stored.feedback) == (AssessmentStatus.FAILED, STALE_FEEDBACK)
    limits = stores.limits.get("user-1")
    assert limits is not None
    assert limits.video_quota_used_daily == 0


def test_an_attempt_exactly_one_hour_old_is_not_stale_yet(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    users = Users(stores, clock, ids, videos)
    attempt_id = users.start("user-1")
    clock.advance(timedelta(hours=1))
    assert users.sweep() == 0
    assert users.status("user-1", attempt_id) is AssessmentStatus.PROCESSING


def test_finished_attempts_are_left_alone_and_every_user_is_swept(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    users = Users(stores, clock, ids, videos)
    done = users.start("user-1")
    CompleteAttempt(
        stores.snapshots, stores.assessments, stores.progress, stores.calendar, clock
    ).execute(CompleteAttemptRequest("user-1", done, PASS))
    stuck = [users.start("user-1", 2), users.start("user-2"), users.start("user-3", 5)]
    clock.advance(timedelta(hours=2))
    assert users.sweep() == 3
    assert users.status("user-1", done) is AssessmentStatus.COMPLETED
    assert users.status("user-1", stuck[0]) is AssessmentStatus.FAILED
    assert users.status("user-2", stuck[1]) is AssessmentStatus.FAILED
    assert users.sweep() == 0


def test_an_attempt_of_the_previous_month_is_swept(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    users = Users(stores, clock, ids, videos)
    attempt_id = users.start("user-1")
    clock.set(datetime(2026, 12, 1, 0, 45, tzinfo=UTC))
    assert users.sweep() == 1
    assert users.status("user-1", attempt_id) is AssessmentStatus.FAILED


def test_an_attempt_two_months_back_is_out_of_the_sweeps_reach(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    users = Users(stores, clock, ids, videos)
    attempt_id = users.start("user-1")
    clock.set(NOW + timedelta(days=40))  # 2027-01-04
    assert users.sweep() == 0
    assert users.status("user-1", attempt_id) is AssessmentStatus.PROCESSING


class WorkerAnswersDuringTheSweep:
    """Assessments whose month listing is followed by the worker completing every attempt."""

    def __init__(self, inner: AssessmentRepository, complete: CompleteAttempt) -> None:
        self._inner = inner
        self._complete = complete

    def of_month(self, month_key: str, *, limit: int, cursor: str | None) -> Page[Assessment]:
        page = self._inner.of_month(month_key, limit=limit, cursor=cursor)
        for attempt in page.items:
            if attempt.status is AssessmentStatus.PROCESSING:
                self._complete.execute(
                    CompleteAttemptRequest(attempt.user_id, attempt.assessment_id, PASS)
                )
        return page

    def start(self, assessment: Assessment, limits: UserLimits) -> UserLimits:
        return self._inner.start(assessment, limits)

    def finish(
        self,
        assessment: Assessment,
        refund: UserLimits | None = None,
        progress: Sequence[Progress] = (),
        retest: CalendarTask | None = None,
    ) -> None:
        self._inner.finish(assessment, refund, progress, retest)

    def get(self, user_id: str, assessment_id: str) -> Assessment | None:
        return self._inner.get(user_id, assessment_id)

    def list_for_user(
        self, user_id: str, *, test_id: int | None, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        return self._inner.list_for_user(user_id, test_id=test_id, limit=limit, cursor=cursor)

    def completed_since(self, user_id: str, since: datetime) -> Sequence[Assessment]:
        return self._inner.completed_since(user_id, since)

    def of_test(
        self, test_id: int, *, since: datetime, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        return self._inner.of_test(test_id, since=since, limit=limit, cursor=cursor)


def test_an_attempt_the_worker_finishes_meanwhile_is_skipped_and_not_counted(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    users = Users(stores, clock, ids, videos)
    attempt_id = users.start("user-1")
    clock.advance(timedelta(hours=3))
    complete = CompleteAttempt(
        stores.snapshots, stores.assessments, stores.progress, stores.calendar, clock
    )
    assert users.sweep(WorkerAnswersDuringTheSweep(stores.assessments, complete)) == 0
    assert users.status("user-1", attempt_id) is AssessmentStatus.COMPLETED
