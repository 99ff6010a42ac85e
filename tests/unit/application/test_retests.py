"""Retests (SPEC.md 6): a completed assessment completes the open retest task of its date, with
that date's progress, in the same atomic write as the attempt; by hand works too."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.complete_attempt import CompleteAttempt, CompleteAttemptRequest
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from application.set_task_completion import SetTaskCompletion, SetTaskCompletionRequest
from domain.assessment import AssessmentResult, AssessmentStatus, WorkerReport, start_assessment
from domain.calendar import CalendarTask
from domain.catalog import test_by_id as catalog_test
from domain.progress import Progress, TestImprovement
from domain.scores import Score
from domain.tiers import Tier
from ports.calendar import CalendarRepository
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW
from tests.unit.application.plan_payment_factories import USER, a_plan, a_user

PLAN_START = NOW.date()
RETEST_DAY = PLAN_START + timedelta(days=13)  # day 14: the mobility phase's last day (2/2/2)
PASS = WorkerReport(0.9, 0.9, 0.4, AssessmentResult(Score.PASS, 0.9, ()))
INVALID = WorkerReport(0.1, 0.9, 0.4, AssessmentResult(Score.PASS, 0.9, ()))

_ids = itertools.count(1)


class World:
    """A basic user whose plan (from test 1, limited) is scheduled over its first 16 days."""

    def __init__(self, stores: Stores, clock: FixedClock, tier: Tier = Tier.BASIC) -> None:
        self.stores, self.clock = stores, clock
        a_user(stores, clock, tier=tier)
        if tier is not Tier.FREE:
            self.plan = a_plan(stores, clock)
            ScheduleCalendar(
                stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
            ).execute(ScheduleCalendarRequest(USER, days=16))

    def on_day(self, day_number: int) -> None:
        self.clock.set(NOW + timedelta(days=day_number - 1, minutes=5))

    def attempt(
        self,
        test_id: int = 1,
        report: WorkerReport = PASS,
        calendar: CalendarRepository | None = None,
    ) -> None:
        started = start_assessment(
            USER,
            f"attempt-{next(_ids)}",
            catalog_test(test_id),
            1,
            "s3://videos/k.mp4",
            self.clock.now(),
        )
        limits = self.stores.limits.get(USER)
        assert limits is not None
        self.stores.assessments.start(started, limits)
        CompleteAttempt(
            self.stores.snapshots,
            self.stores.assessments,
            self.stores.progress,
            calendar if calendar is not None else self.stores.calendar,
            self.clock,
        ).execute(CompleteAttemptRequest(USER, started.assessment_id, report))

    def tasks(self, day: date) -> dict[str, CalendarTask]:
        return {t.exercise_id: t for t in self.stores.calendar.on_date(USER, day)}

    def progress(self, day: date) -> Progress:
        item = self.stores.progress.get(USER, day)
        assert item is not None
        return item

    def tick(self, task: CalendarTask, done: bool = True) -> None:
        use_case = SetTaskCompletion(self.stores.snapshots, self.stores.calendar, self.clock)
        use_case.execute(SetTaskCompletionRequest(USER, task.task_date, task.task_id, done))


@pytest.fixture
def world(stores: Stores, clock: FixedClock) -> World:
    return World(stores, clock)


def test_the_retest_day_carries_a_retest_of_the_test_the_plan_was_built_from(
    world: World,
) -> None:
    assert world.plan.based_on_tests == (1,)
    retest = world.tasks(RETEST_DAY)["retest-1"]
    assert (retest.completed, retest.dosage) == (False, None)
    assert world.progress(RETEST_DAY).tasks_total == len(world.tasks(RETEST_DAY))
    assert all("retest-1" not in world.tasks(RETEST_DAY - timedelta(days=n)) for n in (1, 7, 13))


def test_a_completed_assessment_on_the_retest_day_completes_it_and_counts_it(
    world: World,
) -> None:
    world.on_day(14)
    world.attempt()
    retest = world.tasks(RETEST_DAY)["retest-1"]
    assert retest.completed
    assert retest.completed_at == world.clock.now()
    day = world.progress(RETEST_DAY)
    assert (day.tasks_total, day.tasks_completed) == (len(world.tasks(RETEST_DAY)), 1)
    # limited → pass: the improvement lands on the same date, in the same write
    assert day.test_improvements == (TestImprovement(1, 50),)
    others = [t for t in world.tasks(RETEST_DAY).values() if t.exercise_id != "retest-1"]
    assert not any(t.completed for t in others)


def test_a_retest_that_completes_the_day_moves_points_and_streak(world: World) -> None:
    world.on_day(14)
    for task in world.tasks(RETEST_DAY).values():
        if not task.is_retest:
            world.tick(task)
    before = world.progress(RETEST_DAY)
    assert before.completion_percentage < 100
    world.attempt()
    after = world.progress(RETEST_DAY)
    assert (after.completion_percentage, after.streak_points, after.streak) == (100, 2, 1)


@pytest.mark.parametrize(
    ("day_number", "test_id", "report"),
    [
        (13, 1, PASS),  # before the retest day
        (15, 1, PASS),  # after it: the open retest of its own date only (decision 174)
        (14, 6, PASS),  # a test the plan was not built from
        (14, 1, INVALID),  # not a completed assessment
    ],
)
def test_other_assessments_leave_the_retest_open(
    world: World, day_number: int, test_id: int, report: WorkerReport
) -> None:
    before = world.progress(RETEST_DAY)
    world.on_day(day_number)
    world.attempt(test_id, report)
    assert not world.tasks(RETEST_DAY)["retest-1"].completed
    assert world.progress(RETEST_DAY).tasks_completed == before.tasks_completed


def test_a_retest_can_be_ticked_by_hand_and_a_later_assessment_changes_no_task(
    world: World,
) -> None:
    world.on_day(14)
    world.tick(world.tasks(RETEST_DAY)["retest-1"])
    assert world.progress(RETEST_DAY).tasks_completed == 1
    world.attempt()
    assert world.progress(RETEST_DAY).tasks_completed == 1
    assert world.progress(RETEST_DAY).test_improvements == (TestImprovement(1, 50),)


def test_a_retest_ticked_by_hand_while_the_attempt_completes_is_counted_once(
    world: World,
) -> None:
    world.on_day(14)

    class TickedMeanwhile:
        """The calendar, where the user ticks the retest right after it was read, once."""

        def __init__(self, inner: CalendarRepository) -> None:
            self._inner, self._raced = inner, False

        def on_date(self, user_id: str, task_date: date) -> Sequence[CalendarTask]:
            tasks = self._inner.on_date(user_id, task_date)
            if not self._raced:
                self._raced = True
                world.tick(world.tasks(RETEST_DAY)["retest-1"])
            return tasks

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

    world.attempt(calendar=TickedMeanwhile(world.stores.calendar))  # type: ignore[arg-type]
    day = world.progress(RETEST_DAY)
    assert world.tasks(RETEST_DAY)["retest-1"].completed
    assert day.tasks_completed == 1
    assert day.test_improvements == (TestImprovement(1, 50),)
    assert (
        world.stores.assessments.list_for_user(USER, test_id=1, limit=1, cursor=None)
        .items[0]
        .status
        is AssessmentStatus.COMPLETED
    )


def test_a_free_users_attempt_does_not_read_the_calendar(stores: Stores, clock: FixedClock) -> None:
    world = World(stores, clock, tier=Tier.FREE)

    class Untouchable:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the calendar was asked for {name}")

    world.attempt(calendar=Untouchable())  # type: ignore[arg-type]


def test_the_retest_of_a_replaced_plan_goes_with_its_other_open_tasks(world: World) -> None:
    world.on_day(10)
    old_retest = world.tasks(RETEST_DAY)["retest-1"]
    a_plan(world.stores, world.clock)  # a newer plan replaces it
    remaining = world.stores.calendar.get(USER, RETEST_DAY, old_retest.task_id)
    assert remaining is None
    assert old_retest.plan_id == world.plan.plan_id
