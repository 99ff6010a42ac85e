"""Worker results: the quality gate, verdicts and test improvements (SPEC.md 4, 7, decision 071)."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.complete_attempt import CompleteAttempt, CompleteAttemptRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.assessment import (
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    QualityThresholds,
    WorkerReport,
)
from domain.errors import InvalidTransition, NotFound, ValidationFailed
from domain.progress import Progress, TestImprovement
from domain.regions import Region
from domain.scores import Score
from ports.progress import ProgressChain, ProgressRepository
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW

TODAY = dt.date(2026, 11, 25)


class World:
    def __init__(
        self,
        stores: Stores,
        clock: FixedClock,
        ids: SequentialIds,
        videos: FakeVideoStorage,
        timezone: str | None = None,
    ) -> None:
        self.stores = stores
        self.clock = clock
        RegisterUser(stores.users, clock).execute(
            RegisterUserRequest("user-1", "ada@example.com", timezone=timezone)
        )
        AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))
        self._start = StartAttempt(
            stores.snapshots, stores.limits, stores.assessments, videos, ids, clock
        )

    def start(self, test_id: int = 1) -> str:
        started = self._start.execute(StartAttemptRequest("user-1", test_id))
        self.clock.advance(timedelta(minutes=1))
        return started.assessment.assessment_id

    def complete(
        self,
        assessment_id: str,
        report: WorkerReport,
        thresholds: QualityThresholds | None = None,
        progress: ProgressRepository | None = None,
    ) -> Assessment:
        use_case = CompleteAttempt(
            self.stores.snapshots,
            self.stores.assessments,
            progress if progress is not None else self.stores.progress,
            self.stores.calendar,
            self.clock,
            thresholds,
        )
        return use_case.execute(CompleteAttemptRequest("user-1", assessment_id, report))

    def progress_of(self, day: dt.date) -> Progress | None:
        return self.stores.progress.get("user-1", day)


@pytest.fixture
def world(stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage) -> World:
    return World(stores, clock, ids, videos)


def a_report(
    score: Score = Score.LIMITED,
    areas: tuple[Region, ...] = (Region.KNEE,),
    quality: float = 0.9,
) -> WorkerReport:
    result = AssessmentResult(score, 0.8, areas, {"knee_valgus_deg": 12})
    return WorkerReport(
        quality_score=quality, confidence_avg=0.9, motion_variance=0.3, result=result
    )


PASS = a_report(Score.PASS, ())
LIMITED = a_report(Score.LIMITED)
SIGNIFICANT = a_report(Score.SIGNIFICANT)


def test_a_usable_video_completes_the_attempt_with_its_verdict(world: World) -> None:
    attempt_id = world.start()
    done = world.complete(attempt_id, LIMITED)
    assert done.status is AssessmentStatus.COMPLETED
    assert done.result == LIMITED.result
    assert done.completed_at == world.clock.now()
    assert (done.quality_score, done.confidence_avg, done.motion_variance) == (0.9, 0.9, 0.3)
    assert world.stores.assessments.get("user-1", attempt_id) == done


def test_a_low_quality_video_makes_the_attempt_invalid(world: World) -> None:
    done = world.complete(world.start(), a_report(quality=0.49))
    assert done.status is AssessmentStatus.INVALID
    assert (done.feedback, done.result) == ("LOW_VIDEO_QUALITY", None)


def test_the_quality_thresholds_are_configurable(world: World) -> None:
    strict = QualityThresholds(min_quality_score=0.95)
    assert world.complete(world.start(), LIMITED, strict).status is AssessmentStatus.INVALID
    lenient = QualityThresholds(min_quality_score=0.1)
    report = a_report(quality=0.2)
    assert world.complete(world.start(), report, lenient).status is AssessmentStatus.COMPLETED


def test_an_unknown_attempt_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.complete("no-such-attempt", LIMITED)


def test_an_attempt_completes_only_once(world: World) -> None:
    attempt_id = world.start()
    first = world.complete(attempt_id, LIMITED)
    with pytest.raises(InvalidTransition):
        world.complete(attempt_id, PASS)
    assert world.stores.assessments.get("user-1", attempt_id) == first


def test_a_verdict_inconsistent_with_the_test_is_refused_and_the_attempt_keeps_waiting(
    world: World,
) -> None:
    attempt_id = world.start(test_id=10)  # screens the ankle only
    with pytest.raises(ValidationFailed):
        world.complete(attempt_id, a_report(Score.LIMITED, (Region.KNEE,)))
    stored = world.stores.assessments.get("user-1", attempt_id)
    assert stored is not None
    assert stored.status is AssessmentStatus.PROCESSING


def test_a_first_completed_attempt_records_no_improvement(world: World) -> None:
    world.complete(world.start(), SIGNIFICANT)
    assert world.progress_of(TODAY) is None


def test_a_better_result_than_the_previous_one_records_the_improvement(world: World) -> None:
    world.complete(world.start(), LIMITED)
    world.complete(world.start(), PASS)
    progress = world.progress_of(TODAY)
    assert progress is not None
    assert progress.test_improvements == (TestImprovement(1, 50),)
    assert progress.tasks_total == 0


def test_the_improvement_compares_with_the_latest_earlier_completed_attempt(world: World) -> None:
    world.complete(world.start(), SIGNIFICANT)
    world.complete(world.start(), LIMITED)
    world.complete(world.start(), PASS)
    progress = world.progress_of(TODAY)
    assert progress is not None
    assert progress.test_improvements == (TestImprovement(1, 50),)


def test_invalid_attempts_and_other_tests_are_not_compared(world: World) -> None:
    world.complete(world.start(test_id=1), a_report(quality=0.1))
    world.complete(world.start(test_id=3), SIGNIFICANT)
    world.complete(world.start(test_id=1), PASS)
    assert world.progress_of(TODAY) is None


def test_a_worse_result_records_a_negative_improvement(world: World) -> None:
    world.complete(world.start(), PASS)
    world.complete(world.start(), SIGNIFICANT)
    progress = world.progress_of(TODAY)
    assert progress is not None
    assert progress.test_improvements == (TestImprovement(1, -100),)


def test_earlier_means_started_earlier_not_answered_earlier(world: World) -> None:
    first = world.start()
    second = world.start()
    world.complete(second, PASS)
    world.complete(first, SIGNIFICANT)
    assert world.progress_of(TODAY) is None


def test_the_improvement_lands_on_the_users_local_date(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    clock.set(NOW.replace(hour=11, minute=30))  # 00:30 on the 26th in Auckland (UTC+13)
    world = World(stores, clock, ids, videos, timezone="Pacific/Auckland")
    world.complete(world.start(), LIMITED)
    world.complete(world.start(), PASS)
    assert world.progress_of(TODAY) is None
    progress = world.progress_of(TODAY + timedelta(days=1))
    assert progress is not None
    assert progress.test_improvements == (TestImprovement(1, 50),)


class MissesAConcurrentWrite:
    """Progress whose first read comes just before another writer created the item."""

    def __init__(self, inner: ProgressRepository) -> None:
        self._inner = inner
        self.reads = 0

    def get(self, user_id: str, day: dt.date) -> Progress | None:
        self.reads += 1
        return None if self.reads == 1 else self._inner.get(user_id, day)

    def between(self, user_id: str, first: dt.date, last: dt.date) -> list[Progress]:
        return list(self._inner.between(user_id, first, last))

    def latest_before(self, user_id: str, day: dt.date) -> Progress | None:
        return self._inner.latest_before(user_id, day)

    def chain(self, user_id: str, first: dt.date, last: dt.date) -> ProgressChain:
        return self._inner.chain(user_id, first, last)

    def top_streaks(self, user_id: str, limit: int) -> list[Progress]:
        return list(self._inner.top_streaks(user_id, limit))

    def best_streak(self, user_id: str) -> int:
        return self._inner.best_streak(user_id)


def test_a_progress_item_written_meanwhile_is_re_read_and_kept(world: World) -> None:
    world.complete(world.start(test_id=2), SIGNIFICANT)
    world.complete(world.start(test_id=2), PASS)
    world.complete(world.start(test_id=1), SIGNIFICANT)
    racing = MissesAConcurrentWrite(world.stores.progress)
    world.complete(world.start(test_id=1), LIMITED, progress=racing)
    assert racing.reads == 2
    progress = world.progress_of(TODAY)
    assert progress is not None
    assert set(progress.test_improvements) == {TestImprovement(2, 100), TestImprovement(1, 50)}
