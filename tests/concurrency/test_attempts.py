"""StartAttempt, FailAttempt, CompleteAttempt, SweepStaleAttempts, BanUser and UnbanUser raced
against themselves and each other on one user's limits row and attempts: the counters always
equal what was admitted and not given back, and an attempt moves to one terminal state once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from adapters.memory.clock import FixedClock
from adapters.memory.video_storage import FakeVideoStorage
from adapters.system.ids import Uuid4Ids
from application.ban_user import BanUser, BanUserRequest
from application.complete_attempt import CompleteAttempt, CompleteAttemptRequest
from application.fail_attempt import FailAttempt, FailAttemptRequest
from application.set_task_completion import SetTaskCompletion, SetTaskCompletionRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from application.sweep_stale_attempts import SweepStaleAttempts
from application.unban_user import UnbanUser, UnbanUserRequest
from domain.assessment import AssessmentResult, AssessmentStatus, WorkerReport
from domain.errors import Banned, InvalidTransition, QuotaExceeded
from domain.scores import Score
from domain.windows import month_key
from tests.concurrency.invariants import limits_violations, progress_violations
from tests.concurrency.setup import basic_user, no_errors, tasks_on
from tests.integration.racing import all_at_once
from tests.support.factories import DAY0, T0
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import a_completed_assessment

NOW = T0 + timedelta(minutes=10)
PASSED = WorkerReport(0.9, 0.9, 0.5, AssessmentResult(Score.PASS, 0.9))


class Attempts:
    """The attempt use cases of one backend, on one clock."""

    def __init__(self, stores: Stores, clock: FixedClock) -> None:
        self.start = StartAttempt(
            stores.snapshots,
            stores.limits,
            stores.assessments,
            FakeVideoStorage(),
            Uuid4Ids(),
            clock,
        )
        self.fail = FailAttempt(stores.assessments, stores.limits, clock, stores.snapshots)
        self.complete = CompleteAttempt(
            stores.snapshots, stores.assessments, stores.progress, stores.calendar, clock
        )

    def started(self, user_id: str, test_id: int) -> str:
        return self.start.execute(StartAttemptRequest(user_id, test_id)).assessment.assessment_id

    def failing(self, user_id: str, assessment_id: str) -> Callable[[], object]:
        return lambda: self.fail.execute(FailAttemptRequest(user_id, assessment_id, "crashed"))

    def completing(self, user_id: str, assessment_id: str) -> Callable[[], object]:
        return lambda: self.complete.execute(CompleteAttemptRequest(user_id, assessment_id, PASSED))


def test_starts_failures_and_completions_at_once_keep_the_counters_exact(
    stores: Stores, runs: range
) -> None:
    attempts = Attempts(stores, FixedClock(NOW))

    def race(run: int) -> None:
        user_id = f"starter-{run}"
        basic_user(stores, user_id)
        first, second = attempts.started(user_id, 1), attempts.started(user_id, 2)
        callers: list[Callable[[], object]] = [
            attempts.failing(user_id, first),
            attempts.failing(user_id, first),
            attempts.completing(user_id, second),
            attempts.failing(user_id, second),
            *(lambda n=n: attempts.started(user_id, n % 3 + 1) for n in range(3)),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes, QuotaExceeded, InvalidTransition) == []
        assert sum(isinstance(o, InvalidTransition) for o in outcomes) == 2  # one per attempt
        assert limits_violations(stores, user_id, month_key(NOW)) == []

    for run in runs:
        race(run)


def test_bans_and_unbans_during_starts_keep_the_counters_exact(stores: Stores, runs: range) -> None:
    attempts = Attempts(stores, FixedClock(NOW))
    ban = BanUser(stores.limits, FixedClock(NOW))
    unban = UnbanUser(stores.limits, FixedClock(NOW))

    def race(run: int) -> None:
        user_id = f"banned-{run}"
        basic_user(stores, user_id)
        callers: list[Callable[[], object]] = [
            lambda: ban.execute(BanUserRequest(user_id, NOW + timedelta(days=1), "abuse")),
            lambda: unban.execute(UnbanUserRequest(user_id)),
            *(lambda n=n: attempts.started(user_id, n % 3 + 1) for n in range(4)),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes, QuotaExceeded, Banned) == []
        assert limits_violations(stores, user_id, month_key(NOW)) == []

    for run in runs:
        race(run)


def test_the_sweep_and_the_worker_at_once_end_an_attempt_once_refunded_at_most_once(
    stores: Stores, runs: range
) -> None:
    attempts = Attempts(stores, FixedClock(NOW))
    later = FixedClock(NOW + timedelta(minutes=80))  # stale, the same day
    sweep = SweepStaleAttempts(stores.assessments, stores.limits, later, stores.snapshots)
    worker = Attempts(stores, later)

    def race(run: int) -> None:
        user_id = f"stale-{run}"
        basic_user(stores, user_id)
        attempt = attempts.started(user_id, 1)
        callers: list[Callable[[], object]] = [
            sweep.execute,
            sweep.execute,
            worker.completing(user_id, attempt),
            worker.failing(user_id, attempt),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes, InvalidTransition) == []
        stored = stores.assessments.get(user_id, attempt)
        limits = stores.limits.get(user_id)
        assert stored is not None
        assert limits is not None
        assert stored.status in (AssessmentStatus.FAILED, AssessmentStatus.COMPLETED)
        kept = int(stored.status is AssessmentStatus.COMPLETED)
        assert limits.video_quota_used_daily == kept

    for run in runs:
        race(run)


def test_an_improvement_and_task_completions_at_once_share_the_days_progress(
    stores: Stores, runs: range
) -> None:
    clock = FixedClock(NOW)
    attempts = Attempts(stores, clock)
    completion = SetTaskCompletion(stores.snapshots, stores.calendar, clock)

    def race(run: int) -> None:
        user_id = f"improver-{run}"
        basic_user(stores, user_id)
        a_completed_assessment(stores, NOW - timedelta(minutes=5), user_id=user_id)
        attempt = attempts.started(user_id, 1)
        tasks = tasks_on(stores, user_id, DAY0, 2)
        callers: list[Callable[[], object]] = [
            attempts.completing(user_id, attempt),
            attempts.completing(user_id, attempt),
            *(
                lambda task=task: completion.execute(
                    SetTaskCompletionRequest(user_id, DAY0, task.task_id, True)
                )
                for task in tasks
            ),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes, InvalidTransition) == []
        assert progress_violations(stores, user_id, DAY0, DAY0) == []
        progress = stores.progress.get(user_id, DAY0)
        assert progress is not None
        assert progress.tasks_completed == 2
        assert [i.test_id for i in progress.test_improvements] == [1]

    for run in runs:
        race(run)
