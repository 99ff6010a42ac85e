"""Worker: the analysis of an attempt's video is in (SPEC.md 4, 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from application.progress_sync import counts_by_date, guarded_items, horizon, recount
from application.retry import retry_on_conflict
from domain.assessment import (
    Assessment,
    AssessmentStatus,
    QualityThresholds,
    WorkerReport,
    complete,
)
from domain.calendar import CalendarTask, open_retest_on, set_completed
from domain.errors import NotFound
from domain.progress import Progress, TestImprovement, add_improvement, improvement
from domain.scores import Score
from domain.tiers import quota_of
from domain.user import User, local_today
from ports.assessments import AssessmentRepository
from ports.calendar import CalendarRepository
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
      today; "earlier" is by start time (decision 071).
    - A `completed` attempt completes the open retest task of its test dated the user's local
      today (decision 174), and that date's counts and the streaks from it on move as for a
      ticked task.
    Attempt, retest task and progress are written in one atomic write, re-read and re-decided
    when a progress item or the retest task moved meanwhile.
    Attempt, profile and the previous completed attempt of the test are read with one snapshot
    (decisions 115 and 124: one Query of the user's items where the store keeps them together);
    a completed attempt of a user with
    calendar features reads that date's tasks (one query); progress is read only when there is
    something to record: the date's item for an improvement alone, the chain from that date
    on (one query) when a retest is completed.
    """

    def __init__(
        self,
        snapshots: SnapshotReader,
        assessments: AssessmentRepository,
        progress: ProgressRepository,
        calendar: CalendarRepository,
        clock: Clock,
        thresholds: QualityThresholds | None = None,
    ) -> None:
        self._snapshots = snapshots
        self._assessments = assessments
        self._progress = progress
        self._calendar = calendar
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
        user = seen.user
        if finished.status != AssessmentStatus.COMPLETED or user is None:
            self._assessments.finish(finished)
            return finished
        day = local_today(user, now)
        entry = self._improvement(finished, seen.previous)
        retest = self._open_retest(finished, user, day)
        if retest is None:
            progress = self._improved_day(finished.user_id, day, entry, now)
            self._assessments.finish(finished, progress=progress)
            return finished
        task, day_tasks = retest
        done = set_completed(task, True, now)
        progress = self._retest_progress(user, done, day_tasks, entry, now)
        self._assessments.finish(finished, progress=progress, retest=done)
        return finished

    @staticmethod
    def _improvement(finished: Assessment, previous: Assessment | None) -> TestImprovement | None:
        """This result against the previous completed one of the test, if there is one."""
        if previous is None or previous.result is None or finished.result is None:
            return None
        return improvement(
            finished.test_id, Score(previous.result.score), Score(finished.result.score)
        )

    def _improved_day(
        self, user_id: str, day: date, entry: TestImprovement | None, now: datetime
    ) -> Sequence[Progress]:
        """The date's item with the improvement recorded (nothing when it changes nothing)."""
        if entry is None:
            return ()
        stored = self._progress.get(user_id, day)
        updated = add_improvement(stored, user_id, day, entry, now)
        return () if updated is stored else (updated,)

    def _open_retest(
        self, finished: Assessment, user: User, day: date
    ) -> tuple[CalendarTask, Sequence[CalendarTask]] | None:
        """The open retest task of the test dated `day`, with all tasks of that date; or None.

        A tier without calendar features cannot have tasks to complete: its calendar is not read.
        """
        if not quota_of(user.tier).has_plans:
            return None
        tasks = self._calendar.on_date(user.user_id, day)
        task = open_retest_on(tasks, finished.test_id, day)
        return None if task is None else (task, tasks)

    def _retest_progress(
        self,
        user: User,
        done: CalendarTask,
        day_tasks: Sequence[CalendarTask],
        entry: TestImprovement | None,
        now: datetime,
    ) -> Sequence[Progress]:
        """The progress items that change once the retest is done: the date's counts, the
        streaks from it on (as for a ticked task), and the improvement on the date's item."""
        day = done.task_date
        chain = self._progress.chain(user.user_id, day, horizon(local_today(user, now)))
        # The date's item counts its tasks (every task write carries it, guarded by its
        # revision), so the retest moves its count by one; the tasks, read before the item,
        # may be older than it and only count a date without one (decisions 141, 174).
        stored = next((p for p in chain.items if p.date == day), None)
        if stored is not None and stored.tasks_completed < stored.tasks_total:
            counts = {day: (stored.tasks_total, stored.tasks_completed + 1)}
        else:
            after = [done if t.task_id == done.task_id else t for t in day_tasks]
            counts = counts_by_date(after)
        changes = recount(chain, user.user_id, counts, now)
        guarded = guarded_items(changes, [day])
        if entry is None:
            return guarded
        item = changes.by_date.get(day)
        improved = add_improvement(item, user.user_id, day, entry, now)
        others = [p for p in guarded if p.date != day]
        return sorted([*others, improved], key=lambda p: p.date)
