"""POST /v1/me/assessments: admission against the limits, all or nothing (SPEC.md 1, 4)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from adapters.system.ids import Uuid4Ids
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.ban_user import BanUser, BanUserRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest, StartedAttempt
from domain.assessment import AssessmentStatus
from domain.errors import (
    AttemptsPerTestExceeded,
    Banned,
    DailyQuotaExceeded,
    DisclaimerRequired,
    DomainError,
    HourlyQuotaExceeded,
    MonthlyTestsQuotaExceeded,
    NotFound,
    ValidationFailed,
)
from domain.limits import UserLimits
from ports.snapshots import Snapshot, SnapshotReader, SnapshotRequest
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW


def a_user(stores: Stores, clock: FixedClock, *, accepted: bool = True) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    if accepted:
        AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))


def starter(
    stores: Stores,
    clock: FixedClock,
    ids: SequentialIds,
    videos: FakeVideoStorage,
    snapshots: SnapshotReader | None = None,
) -> StartAttempt:
    return StartAttempt(
        snapshots if snapshots is not None else stores.snapshots,
        stores.limits,
        stores.assessments,
        videos,
        ids,
        clock,
    )


def start(use_case: StartAttempt, test_id: int = 1) -> StartedAttempt:
    return use_case.execute(StartAttemptRequest("user-1", test_id))


def stored_limits(stores: Stores) -> UserLimits:
    limits = stores.limits.get("user-1")
    assert limits is not None
    return limits


def count_attempts(stores: Stores) -> int:
    page = stores.assessments.list_for_user("user-1", test_id=None, limit=100, cursor=None)
    return len(page.items)


def test_a_start_creates_a_processing_attempt_and_an_upload_target(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    started = start(starter(stores, clock, ids, videos), test_id=6)
    attempt = started.assessment
    assert attempt.status is AssessmentStatus.PROCESSING
    assert (attempt.test_id, attempt.test_name) == (6, "Shoulder Mobility")
    assert (attempt.attempt_number, attempt.month_key, attempt.created_at) == (1, "2026-11", NOW)
    assert attempt.assessment_id == ids.issued[-1]
    assert attempt.video_url == videos.issued[-1].video_url
    assert started.upload_url == videos.issued[-1].upload_url
    assert started.upload_expires_at > NOW
    assert stores.assessments.get("user-1", attempt.assessment_id) == attempt


def test_a_start_takes_one_unit_of_every_counter(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    start(starter(stores, clock, ids, videos), test_id=2)
    limits = stored_limits(stores)
    assert (limits.video_quota_used_hourly, limits.video_quota_used_daily) == (1, 1)
    assert limits.attempts_per_test == {2: 1}
    assert limits.tests_this_month == {2}


def test_attempt_numbers_count_the_attempts_of_the_test_today(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    use_case = starter(stores, clock, ids, videos)
    numbers = [start(use_case, test_id).assessment.attempt_number for test_id in (1, 2, 1, 1)]
    assert numbers == [1, 1, 2, 3]


def test_a_caller_without_a_profile_is_not_found(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    with pytest.raises(NotFound):
        start(starter(stores, clock, ids, videos))


def test_a_start_before_accepting_the_disclaimer_is_refused(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock, accepted=False)
    with pytest.raises(DisclaimerRequired):
        start(starter(stores, clock, ids, videos))
    assert count_attempts(stores) == 0
    assert stored_limits(stores).video_quota_used_hourly == 0


@pytest.mark.parametrize("test_id", [0, 16, -1])
def test_a_test_outside_the_catalog_is_a_validation_error(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage, test_id: int
) -> None:
    a_user(stores, clock)
    with pytest.raises(ValidationFailed):
        start(starter(stores, clock, ids, videos), test_id)
    assert count_attempts(stores) == 0


def test_a_banned_user_is_refused_with_the_end_of_the_ban(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    until = NOW + timedelta(days=2)
    BanUser(stores.limits, clock).execute(BanUserRequest("user-1", until, "spam"))
    with pytest.raises(Banned) as refused:
        start(starter(stores, clock, ids, videos))
    assert refused.value.ban_until == until
    assert count_attempts(stores) == 0


def test_the_sixth_video_in_an_hour_is_refused_and_is_a_strike(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    use_case = starter(stores, clock, ids, videos)
    for test_id in (1, 1, 1, 2, 2):
        start(use_case, test_id)
    with pytest.raises(HourlyQuotaExceeded) as refused:
        start(use_case, 3)
    assert refused.value.resets_at == NOW + timedelta(hours=1)
    limits = stored_limits(stores)
    assert limits.strikes == 1
    assert limits.video_quota_used_hourly == 5
    assert count_attempts(stores) == 5


def test_the_tenth_video_in_a_day_is_refused(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    use_case = starter(stores, clock, ids, videos)
    for hour, test_id in enumerate((1, 2, 3)):
        clock.set(NOW + timedelta(hours=hour))
        for _ in range(3):
            start(use_case, test_id)
    with pytest.raises(DailyQuotaExceeded) as refused:
        start(use_case, 1)
    assert refused.value.resets_at == NOW.replace(hour=0) + timedelta(days=1)
    assert stored_limits(stores).strikes == 1
    assert count_attempts(stores) == 9


def test_a_fourth_attempt_of_a_test_in_a_day_is_refused_without_a_strike(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    use_case = starter(stores, clock, ids, videos)
    for _ in range(3):
        start(use_case, 4)
    with pytest.raises(AttemptsPerTestExceeded):
        start(use_case, 4)
    assert stored_limits(stores).strikes == 0
    assert start(use_case, 5).assessment.attempt_number == 1


def test_a_fourth_distinct_test_in_a_month_is_refused_on_the_free_tier(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    use_case = starter(stores, clock, ids, videos)
    for test_id in (1, 2, 3):
        start(use_case, test_id)
    with pytest.raises(MonthlyTestsQuotaExceeded):
        start(use_case, 4)
    assert start(use_case, 1).assessment.attempt_number == 2
    assert stored_limits(stores).strikes == 0


def test_the_tenth_strike_in_an_hour_bans_for_a_day(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    use_case = starter(stores, clock, ids, videos)
    for test_id in (1, 1, 1, 2, 2):
        start(use_case, test_id)
    for _ in range(9):
        with pytest.raises(HourlyQuotaExceeded):
            start(use_case, 3)
    with pytest.raises(Banned) as banned:
        start(use_case, 3)
    assert banned.value.ban_until == NOW + timedelta(hours=24)
    assert stored_limits(stores).ban_reason == "VIDEO_ABUSE"


class LosesTheFirstRace:
    """Reads whose first one is overtaken by a concurrent start of the same user."""

    def __init__(self, inner: SnapshotReader, concurrent: StartAttempt) -> None:
        self._inner = inner
        self._concurrent = concurrent
        self.reads = 0

    def read(self, request: SnapshotRequest) -> Snapshot:
        self.reads += 1
        read = self._inner.read(request)
        if self.reads == 1:
            start(self._concurrent, 1)
        return read


def test_a_start_that_loses_the_race_decides_again_on_fresh_counters(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    racing = LosesTheFirstRace(stores.snapshots, starter(stores, clock, ids, videos))
    started = start(starter(stores, clock, ids, videos, snapshots=racing), 1)
    assert racing.reads == 2
    assert started.assessment.attempt_number == 2
    assert stored_limits(stores).video_quota_used_hourly == 2
    assert count_attempts(stores) == 2


def test_concurrent_starts_never_admit_more_than_the_limits_allow(
    stores: Stores, clock: FixedClock, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    # Real UUIDs: the sequential test ids are not meant to be drawn from several threads.
    use_case = StartAttempt(
        stores.snapshots, stores.limits, stores.assessments, videos, Uuid4Ids(), clock
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def one_start() -> None:
        barrier.wait()
        try:
            start(use_case, 7)
            outcomes.append("admitted")
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=one_start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ATTEMPTS_PER_TEST"] * 5 + ["admitted"] * 3
    assert stored_limits(stores).attempts_per_test == {7: 3}
    assert count_attempts(stores) == 3
