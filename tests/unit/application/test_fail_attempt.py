"""Worker failures: `failed` with feedback, and the refund of the video units (SPEC.md 1, 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.fail_attempt import FailAttempt, FailAttemptRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.assessment import AssessmentStatus
from domain.errors import InvalidTransition, NotFound, ValidationFailed
from ports.snapshots import Snapshot, SnapshotReader, SnapshotRequest
from tests.support.stores import Stores


def start_two(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> list[str]:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))
    start = StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock)
    return [
        start.execute(StartAttemptRequest("user-1", test_id)).assessment.assessment_id
        for test_id in (1, 2)
    ]


def used(stores: Stores) -> tuple[int, int]:
    limits = stores.limits.get("user-1")
    assert limits is not None
    return limits.video_quota_used_hourly, limits.video_quota_used_daily


def test_a_failure_marks_the_attempt_failed_with_the_reason(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id, _ = start_two(stores, clock, ids, videos)
    ended = clock.advance(timedelta(minutes=2))
    failed = FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots).execute(
        FailAttemptRequest("user-1", attempt_id, "  model crashed ")
    )
    assert failed.status is AssessmentStatus.FAILED
    assert (failed.feedback, failed.completed_at) == ("model crashed", ended)
    assert stores.assessments.get("user-1", attempt_id) == failed


def test_a_failure_gives_back_the_hourly_and_daily_units(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id, _ = start_two(stores, clock, ids, videos)
    FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots).execute(
        FailAttemptRequest("user-1", attempt_id, "model crashed")
    )
    assert used(stores) == (1, 1)
    limits = stores.limits.get("user-1")
    assert limits is not None
    assert limits.attempts_per_test == {1: 1, 2: 1}


def test_a_failure_after_the_hour_gives_back_only_the_daily_unit(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id, _ = start_two(stores, clock, ids, videos)
    clock.advance(timedelta(hours=1))
    FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots).execute(
        FailAttemptRequest("user-1", attempt_id, "model crashed")
    )
    assert used(stores) == (0, 1)


def test_an_attempt_fails_and_is_refunded_only_once(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id, _ = start_two(stores, clock, ids, videos)
    fail = FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots)
    fail.execute(FailAttemptRequest("user-1", attempt_id, "model crashed"))
    with pytest.raises(InvalidTransition):
        fail.execute(FailAttemptRequest("user-1", attempt_id, "model crashed"))
    assert used(stores) == (1, 1)


@pytest.mark.parametrize("feedback", ["", "   ", "x" * 501])
def test_the_failure_reason_must_have_one_to_five_hundred_characters(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage, feedback: str
) -> None:
    attempt_id, _ = start_two(stores, clock, ids, videos)
    with pytest.raises(ValidationFailed):
        FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots).execute(
            FailAttemptRequest("user-1", attempt_id, feedback)
        )
    stored = stores.assessments.get("user-1", attempt_id)
    assert stored is not None
    assert stored.status is AssessmentStatus.PROCESSING
    assert used(stores) == (2, 2)


def test_failing_an_unknown_attempt_is_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots).execute(
            FailAttemptRequest("user-1", "nope", "model crashed")
        )


class StartsAnotherAttemptMeanwhile:
    """Reads whose first one is followed by another start before the refund is written."""

    def __init__(self, inner: SnapshotReader, other_start: StartAttempt) -> None:
        self._inner = inner
        self._other_start = other_start
        self.reads = 0

    def read(self, request: SnapshotRequest) -> Snapshot:
        self.reads += 1
        read = self._inner.read(request)
        if self.reads == 1:
            self._other_start.execute(StartAttemptRequest(request.user_id, 3))
        return read


def test_a_refund_that_loses_a_race_is_recomputed_on_fresh_counters(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id, _ = start_two(stores, clock, ids, videos)
    other = StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock)
    racing = StartsAnotherAttemptMeanwhile(stores.snapshots, other)
    FailAttempt(stores.assessments, stores.limits, clock, racing).execute(
        FailAttemptRequest("user-1", attempt_id, "model crashed")
    )
    assert racing.reads == 2
    assert used(stores) == (2, 2)
