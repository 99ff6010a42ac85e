"""Scheduling a plan onto the calendar and completing tasks (SPEC.md section 6)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import calendar as cal
from domain.dosage import hold, reps
from domain.errors import FutureTask, TooLate, ValidationFailed
from domain.exercises import PhaseFocus
from domain.plan import Plan, PlanExercise, PlanPhase, Priority
from domain.regions import Region
from domain.tiers import Tier
from domain.user import local_today, register

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
USER = "user-1"
START = date(2026, 3, 2)  # plan day 1

# phase focus → {exercise_id: priority}
WORK: dict[PhaseFocus, dict[str, Priority]] = {
    PhaseFocus.MOBILITY: {"mob-b": Priority.MUST, "mob-a": Priority.MUST, "mob-s": Priority.SHOULD},
    PhaseFocus.STABILITY: {"stab-m": Priority.MUST, "stab-s": Priority.SHOULD},
    PhaseFocus.INTEGRATION: {"int-m": Priority.MUST, "int-s": Priority.SHOULD},
}


def a_plan(weeks: tuple[int, int, int] = (2, 2, 2), plan_id: str = "plan-1") -> Plan:
    """A three-phase plan with must and should work in each phase."""
    exercises = tuple(
        PlanExercise(exercise_id, exercise_id, "Do it.", priority, "hip")
        for work in WORK.values()
        for exercise_id, priority in work.items()
    )
    phases = tuple(
        PlanPhase(f"p{index}-{focus.value}", duration, focus, tuple(WORK[focus]))
        for index, (focus, duration) in enumerate(zip(WORK, weeks, strict=True), 1)
    )
    return Plan(
        user_id=USER,
        plan_id=plan_id,
        tier=Tier.BASIC,
        is_active=True,
        based_on_tests=(1,),
        p1=(Region.HIP,),
        p2=(Region.KNEE,),
        exercises=exercises,
        phases=phases,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )


PLAN = a_plan()


def on_day(day_number: int, plan: Plan = PLAN) -> list[str]:
    """The exercise ids scheduled on one plan day, retests left out."""
    d = START + timedelta(days=day_number - 1)
    return [t.exercise_id for t in cal.schedule(USER, plan, START, d, 1, NOW) if not t.is_retest]


def a_task(task_date: date = START, completed: bool = False) -> cal.CalendarTask:
    return cal.CalendarTask(
        user_id=USER,
        task_date=task_date,
        task_id=cal.task_id_for("plan-1", task_date, "mob-a"),
        plan_id="plan-1",
        exercise_id="mob-a",
        priority=Priority.MUST,
        completed=completed,
        completed_at=NOW if completed else None,
        created_at=NOW,
    )


# --- tasks, windows and ids ------------------------------------------------------------------


def test_the_sort_key_is_the_date_then_the_task_id() -> None:
    task = a_task(date(2026, 3, 5))
    assert task.sort_key == f"2026-03-05#{task.task_id}"


def test_a_completed_task_without_completion_time_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        cal.CalendarTask(USER, START, "t", "plan-1", "mob-a", Priority.MUST, True, None, NOW)


@pytest.mark.parametrize("days", [1, cal.DEFAULT_WINDOW_DAYS, 56])
def test_windows_of_one_to_56_days_are_allowed(days: int) -> None:
    assert cal.validate_window(days) == days
    dates = {t.task_date for t in cal.schedule(USER, PLAN, START, START, days, NOW)}
    assert dates == {START + timedelta(days=i) for i in range(days)}


@pytest.mark.parametrize("days", [0, 57, -1])
def test_windows_of_zero_or_more_than_56_days_are_refused(days: int) -> None:
    with pytest.raises(ValidationFailed):
        cal.validate_window(days)
    with pytest.raises(ValidationFailed):
        cal.schedule(USER, PLAN, START, START, days, NOW)


def test_the_default_window_is_two_weeks() -> None:
    assert cal.DEFAULT_WINDOW_DAYS == 14
    assert cal.MAX_WINDOW_DAYS == 56


def test_a_task_id_is_a_uuid_fixed_by_plan_date_and_exercise() -> None:
    task_id = cal.task_id_for("plan-1", START, "mob-a")
    assert uuid.UUID(task_id).version == 5
    assert task_id == cal.task_id_for("plan-1", START, "mob-a")
    others = {
        cal.task_id_for("plan-2", START, "mob-a"),
        cal.task_id_for("plan-1", START + timedelta(days=1), "mob-a"),
        cal.task_id_for("plan-1", START, "mob-b"),
    }
    assert task_id not in others
    assert len(others) == 3


def test_the_plan_start_is_day_one() -> None:
    assert cal.plan_day_number(START, START) == 1
    assert cal.plan_day_number(START, START + timedelta(days=13)) == 14
    assert cal.plan_day_number(START, START - timedelta(days=1)) == 0


# --- scheduling ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day_number", "focus"),
    [
        (1, PhaseFocus.MOBILITY),
        (14, PhaseFocus.MOBILITY),
        (15, PhaseFocus.STABILITY),
        (28, PhaseFocus.STABILITY),
        (29, PhaseFocus.INTEGRATION),
        (42, PhaseFocus.INTEGRATION),
        (43, PhaseFocus.INTEGRATION),
        (100, PhaseFocus.INTEGRATION),
    ],
)
def test_a_two_two_two_week_plan_changes_phase_after_days_14_and_28(
    day_number: int, focus: PhaseFocus
) -> None:
    musts = {e for e, priority in WORK[focus].items() if priority is Priority.MUST}
    assert musts <= set(on_day(day_number))
    assert set(on_day(day_number)) <= set(WORK[focus])


def test_a_three_three_two_week_plan_changes_phase_after_days_21_and_42() -> None:
    plan = a_plan(weeks=(3, 3, 2))
    assert "mob-a" in on_day(21, plan)
    assert on_day(22, plan)[0] == "stab-m"
    assert "stab-m" in on_day(42, plan)
    assert on_day(43, plan)[0] == "int-m"


def test_must_exercises_are_scheduled_every_day() -> None:
    for day_number in range(1, 15):
        assert {"mob-a", "mob-b"} <= set(on_day(day_number))


def test_should_exercises_are_scheduled_only_on_even_plan_days() -> None:
    assert "mob-s" not in on_day(1)
    assert "mob-s" in on_day(2)
    assert "mob-s" not in on_day(13)
    assert "mob-s" in on_day(14)
    assert "stab-s" not in on_day(15)
    assert "stab-s" in on_day(16)


def test_tasks_are_ordered_by_date_then_exercise_id() -> None:
    tasks = cal.schedule(USER, PLAN, START, START, 2, NOW)
    assert [(t.task_date, t.exercise_id) for t in tasks] == [
        (START, "mob-a"),
        (START, "mob-b"),
        (START + timedelta(days=1), "mob-a"),
        (START + timedelta(days=1), "mob-b"),
        (START + timedelta(days=1), "mob-s"),
    ]


def test_scheduled_tasks_are_open_and_carry_the_plan_and_priority() -> None:
    task = cal.schedule(USER, PLAN, START, START + timedelta(days=1), 1, NOW)[-1]
    assert (task.user_id, task.plan_id, task.exercise_id, task.priority) == (
        USER,
        "plan-1",
        "mob-s",
        Priority.SHOULD,
    )
    assert (task.completed, task.completed_at, task.created_at) == (False, None, NOW)
    assert task.task_id == cal.task_id_for("plan-1", task.task_date, "mob-s")


def test_dates_before_the_plan_start_are_skipped() -> None:
    tasks = cal.schedule(USER, PLAN, START, START - timedelta(days=3), 5, NOW)
    assert min(t.task_date for t in tasks) == START
    assert {t.task_date for t in tasks} == {START, START + timedelta(days=1)}


def test_a_window_entirely_before_the_plan_start_is_empty() -> None:
    assert cal.schedule(USER, PLAN, START, START - timedelta(days=7), 7, NOW) == []


def test_scheduling_the_same_window_twice_yields_identical_tasks() -> None:
    first = cal.schedule(USER, PLAN, START, START + timedelta(days=3), 14, NOW)
    again = cal.schedule(USER, PLAN, START, START + timedelta(days=3), 14, NOW)
    assert first == again


def test_another_users_plan_cannot_be_scheduled() -> None:
    with pytest.raises(ValueError, match="another user"):
        cal.schedule("user-2", PLAN, START, START, 1, NOW)


@given(
    first_offset=st.integers(min_value=-10, max_value=60),
    first_days=st.integers(min_value=1, max_value=56),
    second_offset=st.integers(min_value=-10, max_value=60),
    second_days=st.integers(min_value=1, max_value=56),
)
def test_any_two_overlapping_windows_agree_on_their_common_dates(
    first_offset: int, first_days: int, second_offset: int, second_days: int
) -> None:
    first = cal.schedule(USER, PLAN, START, START + timedelta(days=first_offset), first_days, NOW)
    later = NOW + timedelta(days=1)  # creation time is not part of a task's identity
    second = cal.schedule(
        USER, PLAN, START, START + timedelta(days=second_offset), second_days, later
    )
    common = {t.task_date for t in first} & {t.task_date for t in second}

    def ids(tasks: list[cal.CalendarTask]) -> list[tuple[date, str, str, Priority]]:
        return [
            (t.task_date, t.task_id, t.exercise_id, t.priority)
            for t in tasks
            if t.task_date in common
        ]

    assert ids(first) == ids(second)


# --- completion ---------------------------------------------------------------------------------


def test_completing_records_the_time() -> None:
    done = cal.set_completed(a_task(), True, NOW)
    assert (done.completed, done.completed_at) == (True, NOW)


def test_completing_a_completed_task_changes_nothing() -> None:
    done = cal.set_completed(a_task(), True, NOW)
    assert cal.set_completed(done, True, NOW + timedelta(hours=1)) is done


def test_un_completing_clears_the_completion_time() -> None:
    undone = cal.set_completed(a_task(completed=True), False, NOW)
    assert (undone.completed, undone.completed_at) == (False, None)


def test_un_completing_an_open_task_changes_nothing() -> None:
    task = a_task()
    assert cal.set_completed(task, False, NOW) is task


def test_todays_and_yesterdays_tasks_can_be_completed() -> None:
    today = date(2026, 3, 10)
    cal.check_completion_window(today, today)
    cal.check_completion_window(today - timedelta(days=1), today)


def test_tomorrows_task_is_a_future_task() -> None:
    today = date(2026, 3, 10)
    with pytest.raises(FutureTask):
        cal.check_completion_window(today + timedelta(days=1), today)


def test_a_task_from_two_days_ago_is_too_late() -> None:
    today = date(2026, 3, 10)
    with pytest.raises(TooLate):
        cal.check_completion_window(today - timedelta(days=2), today)


def test_today_is_the_users_local_date_not_the_utc_one() -> None:
    late_utc_evening = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert cal.today_in("UTC", late_utc_evening) == date(2026, 3, 10)
    assert cal.today_in("Asia/Tokyo", late_utc_evening) == date(2026, 3, 11)
    early_utc_morning = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    assert cal.today_in("America/Los_Angeles", early_utc_morning) == date(2026, 3, 9)


def test_the_completion_window_follows_the_users_timezone() -> None:
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # already 11 March in Tokyo
    tokyo, utc = cal.today_in("Asia/Tokyo", now), cal.today_in("UTC", now)
    march_11, march_9 = date(2026, 3, 11), date(2026, 3, 9)

    cal.check_completion_window(march_11, tokyo)
    with pytest.raises(FutureTask):
        cal.check_completion_window(march_11, utc)

    cal.check_completion_window(march_9, utc)
    with pytest.raises(TooLate):
        cal.check_completion_window(march_9, tokyo)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "Europe"])
def test_a_time_zone_this_machine_does_not_know_falls_back_to_utc(name: str) -> None:
    late_utc_evening = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert cal.today_in(name, late_utc_evening) == date(2026, 3, 10)


@given(
    name=st.sampled_from(["UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"]),
    now=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - bounds of a strategy of aware datetimes
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_today_agrees_with_the_users_local_today(name: str, now: datetime) -> None:
    user = register("user-1", "ana@example.com", None, name, NOW)
    assert cal.today_in(name, now) == local_today(user, now)


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        cal.today_in("UTC", datetime(2026, 3, 10))  # noqa: DTZ001 - the point of the test


# --- replacing the plan -----------------------------------------------------------------------


def test_a_new_plan_removes_the_old_plans_open_tasks_from_today_on_only() -> None:
    today = START + timedelta(days=3)
    old = cal.schedule(USER, PLAN, START, START, 7, NOW)
    old = [cal.set_completed(t, True, NOW) if t.exercise_id == "mob-b" else t for t in old]
    new = cal.schedule(USER, a_plan(plan_id="plan-2"), today, today, 4, NOW)

    removed = cal.tasks_removed_by_new_plan([*old, *new], "plan-2", today)

    assert removed
    assert all(t.plan_id == "plan-1" for t in removed)
    assert all(t.task_date >= today and not t.completed for t in removed)
    kept = [t for t in old if t not in removed]
    assert all(t.task_date < today or t.completed for t in kept)


# --- dosage and retests ---------------------------------------------------------------------


def a_dosed_plan(weeks: tuple[int, int, int] = (2, 2, 2), tests: tuple[int, ...] = (1, 6)) -> Plan:
    """PLAN with a prescription on every exercise and built from `tests`."""
    plan = a_plan(weeks)
    exercises = tuple(
        dataclasses.replace(
            e, dosage=hold(2, 30, 30) if e.exercise_id == "mob-b" else reps(3, 8, 60)
        )
        for e in plan.exercises
    )
    return dataclasses.replace(plan, exercises=exercises, based_on_tests=tests)


def tasks_on(plan: Plan, day_number: int) -> dict[str, cal.CalendarTask]:
    d = START + timedelta(days=day_number - 1)
    return {t.exercise_id: t for t in cal.schedule(USER, plan, START, d, 1, NOW)}


@pytest.mark.parametrize(
    ("day_number", "count", "seconds"),
    [(1, 8, 30), (7, 8, 30), (8, 10, 35), (14, 10, 35)],
)
def test_a_task_carries_the_dosage_of_its_week_in_the_phase(
    day_number: int, count: int, seconds: int
) -> None:
    tasks = tasks_on(a_dosed_plan(), day_number)
    assert tasks["mob-a"].dosage == reps(3, count, 60)
    assert tasks["mob-b"].dosage == hold(2, seconds, 30)


def test_the_dosage_starts_again_from_the_base_in_the_next_phase_and_stops_at_the_cap() -> None:
    plan = a_dosed_plan(weeks=(3, 3, 2))
    assert tasks_on(plan, 15)["mob-a"].dosage == reps(3, 12, 60)  # third week: +4
    assert tasks_on(plan, 22)["stab-m"].dosage == reps(3, 8, 60)
    assert tasks_on(plan, 200)["int-m"].dosage == reps(3, 12, 60)  # past the end: capped


def test_the_last_day_of_each_corrective_phase_has_a_must_retest_per_test() -> None:
    plan = a_dosed_plan(tests=(1, 6))
    for day_number in (14, 28, 42):
        retests = [t for t in tasks_on(plan, day_number).values() if t.is_retest]
        assert [(t.exercise_id, t.priority, t.dosage) for t in retests] == [
            ("retest-1", Priority.MUST, None),
            ("retest-6", Priority.MUST, None),
        ]
        assert [t.retest_of for t in retests] == [1, 6]
    for day_number in (1, 13, 15, 27, 29, 43, 56):
        assert not any(t.is_retest for t in tasks_on(plan, day_number).values())


def test_a_retest_task_id_is_derived_like_any_other() -> None:
    task = tasks_on(a_dosed_plan(), 14)["retest-1"]
    assert task.task_id == cal.task_id_for("plan-1", task.task_date, "retest-1")


def test_a_retest_task_with_a_dosage_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        dataclasses.replace(a_task(), exercise_id="retest-3", dosage=reps(2, 10, 30))


@given(st.integers(1, 120), st.sampled_from([(2, 2, 2), (3, 3, 2)]))
def test_every_exercise_task_has_a_dosage_within_the_cap_of_its_base(
    day_number: int, weeks: tuple[int, int, int]
) -> None:
    plan = a_dosed_plan(weeks)
    for task in tasks_on(plan, day_number).values():
        if task.is_retest:
            assert task.dosage is None
            continue
        base = plan.exercise(task.exercise_id).dosage
        assert base is not None
        assert task.dosage is not None
        assert task.dosage.sets == base.sets
        assert task.dosage.rest_seconds == base.rest_seconds
        if base.reps is not None:
            assert task.dosage.reps in range(base.reps, base.reps + 5, 2)
        else:
            assert base.hold_seconds is not None
            assert task.dosage.hold_seconds in range(base.hold_seconds, base.hold_seconds + 11, 5)


def test_a_task_reads_as_its_exercise_or_its_test() -> None:
    exercise = cal.task_details(dataclasses.replace(a_task(), exercise_id="core-stab-dead-bug"))
    assert exercise.name == "Dead Bug"
    assert exercise.description.startswith("On your back")
    retest = cal.task_details(dataclasses.replace(a_task(), exercise_id="retest-6"))
    assert retest.name == "Shoulder Mobility"
    assert "Shoulder Mobility" in retest.description
    unknown = cal.task_details(a_task())  # "mob-a" is not in the library
    assert (unknown.name, unknown.description) == ("mob-a", "")


def test_the_open_retest_of_a_test_and_date_is_found_among_the_days_tasks() -> None:
    day = START + timedelta(days=13)
    tasks = list(tasks_on(a_dosed_plan(), 14).values())
    found = cal.open_retest_on(tasks, 6, day)
    assert found is not None
    assert found.exercise_id == "retest-6"
    assert cal.open_retest_on(tasks, 3, day) is None
    assert cal.open_retest_on(tasks, 6, day + timedelta(days=1)) is None
    done = [cal.set_completed(t, True, NOW) if t.is_retest else t for t in tasks]
    assert cal.open_retest_on(done, 6, day) is None


def test_retest_ids_name_a_test_only_when_they_end_in_a_number() -> None:
    assert cal.retest_exercise_id(12) == "retest-12"
    assert cal.retested_test("retest-12") == 12
    assert cal.retested_test("retest-x") is None
    assert cal.retested_test("mob-a") is None
