"""GeneratePlan: a new active plan from recent results, replacing the old plan's open days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

import pytest

from adapters.memory.clock import FixedClock
from application.generate_plan import GeneratePlan, GeneratePlanRequest, plan_id_for
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from application.set_task_completion import SetTaskCompletion, SetTaskCompletionRequest
from domain.calendar import CalendarTask
from domain.errors import NoAssessments, NotFound, TierRequired
from domain.plan import Plan
from domain.regions import Region
from domain.tiers import Tier
from ports.calendar import CalendarRepository
from ports.plans import PlanRepository
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import (
    USER,
    a_completed_assessment,
    a_user,
)

TODAY = date(2026, 11, 25)


def generate(stores: Stores, clock: FixedClock, plans: PlanRepository | None = None) -> Plan:
    use_case = GeneratePlan(
        stores.snapshots,
        plans or stores.plans,
        stores.calendar,
        stores.progress,
        clock,
    )
    return use_case.execute(GeneratePlanRequest(USER))


def schedule(stores: Stores, clock: FixedClock, days: int = 14) -> list[CalendarTask]:
    use_case = ScheduleCalendar(
        stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
    )
    return list(use_case.execute(ScheduleCalendarRequest(USER, days=days)))


def complete(stores: Stores, clock: FixedClock, task: CalendarTask) -> None:
    use_case = SetTaskCompletion(stores.snapshots, stores.calendar, clock)
    use_case.execute(SetTaskCompletionRequest(USER, task.task_date, task.task_id, True))


def test_a_first_plan_is_version_one_active_and_built_from_recent_results(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=3), areas=(Region.ANKLE,))

    plan = generate(stores, clock)

    assert plan.version == 1
    assert plan.is_active
    assert plan.plan_id == plan_id_for(USER, 1)
    assert plan.p1 == (Region.ANKLE,)
    assert plan.based_on_tests == (1,)
    assert stores.plans.get_active(USER) == plan


def test_a_second_plan_is_the_next_version_and_the_only_active_one(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=3))
    first = generate(stores, clock)

    second = generate(stores, clock)

    assert second.version == 2
    assert second.plan_id == plan_id_for(USER, 2) != first.plan_id
    stored = stores.plans.list_for_user(USER)
    assert [(p.version, p.is_active) for p in stored] == [(1, False), (2, True)]


class CalendarNotToBeRead:
    """A calendar whose reads fail the test: a first plan has no old plan's tasks to remove."""

    def __init__(self, inner: CalendarRepository) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name in {"get", "on_date", "between"}:
            raise AssertionError(f"calendar.{name} read for a first plan")
        return getattr(self._inner, name)


def test_a_first_plan_reads_no_calendar(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=1))
    calendar = cast("CalendarRepository", CalendarNotToBeRead(stores.calendar))
    use_case = GeneratePlan(stores.snapshots, stores.plans, calendar, stores.progress, clock)

    assert use_case.execute(GeneratePlanRequest(USER)).version == 1


def test_plan_ids_are_a_function_of_user_and_version() -> None:
    assert plan_id_for("u", 3) == plan_id_for("u", 3)
    assert len({plan_id_for("u", 1), plan_id_for("u", 2), plan_id_for("v", 1)}) == 3


def test_an_unknown_user_gets_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        generate(stores, clock)


def test_a_free_user_gets_tier_required(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock, tier=Tier.FREE)
    a_completed_assessment(stores, clock.now() - timedelta(days=1))

    with pytest.raises(TierRequired):
        generate(stores, clock)


def test_results_older_than_ninety_days_give_no_assessments(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=90, seconds=1))

    with pytest.raises(NoAssessments):
        generate(stores, clock)
    assert stores.plans.list_for_user(USER) == []


def test_a_result_exactly_ninety_days_old_still_builds_a_plan(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=90))

    assert generate(stores, clock).version == 1


class RacingPlans:
    """Plans whose first activation loses to a concurrent generation that lands just before."""

    def __init__(self, inner: PlanRepository, rival: GeneratePlan) -> None:
        self._inner = inner
        self._rival: GeneratePlan | None = rival

    def get_active(self, user_id: str) -> Plan | None:
        return self._inner.get_active(user_id)

    def list_for_user(self, user_id: str) -> list[Plan]:
        return list(self._inner.list_for_user(user_id))

    def activate(self, plan: Plan, previous: Plan | None, *, require_user: bool = False) -> None:
        rival, self._rival = self._rival, None
        if rival is not None:
            rival.execute(GeneratePlanRequest(plan.user_id))
        self._inner.activate(plan, previous, require_user=require_user)


def test_the_loser_of_a_concurrent_generation_builds_the_next_version(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=1))
    rival = GeneratePlan(stores.snapshots, stores.plans, stores.calendar, stores.progress, clock)

    plan = generate(stores, clock, plans=RacingPlans(stores.plans, rival))

    assert plan.version == 2
    stored = stores.plans.list_for_user(USER)
    assert [(p.version, p.is_active) for p in stored] == [(1, False), (2, True)]


def test_a_new_plan_removes_the_old_plans_open_tasks_from_today_and_keeps_history(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=1), areas=(Region.ANKLE,))
    old = generate(stores, clock)
    old_tasks = schedule(stores, clock)
    complete(stores, clock, old_tasks[0])  # done on its day: history
    clock.advance(timedelta(days=1))
    tomorrow = TODAY + timedelta(days=1)
    kept_today = next(t for t in old_tasks if t.task_date == tomorrow)
    complete(stores, clock, kept_today)

    new = generate(stores, clock)

    remaining = stores.calendar.between(USER, TODAY, TODAY + timedelta(days=30))
    yesterday = [t for t in old_tasks if t.task_date == TODAY]
    assert [t for t in remaining if t.task_date == TODAY] == [
        stores.calendar.get(USER, t.task_date, t.task_id) for t in yesterday
    ]
    assert [t.task_id for t in remaining if t.task_date >= tomorrow] == [kept_today.task_id]
    assert all(t.plan_id == old.plan_id for t in remaining)
    assert new.plan_id != old.plan_id
    today_progress = stores.progress.get(USER, tomorrow)
    assert today_progress is not None
    assert (today_progress.tasks_total, today_progress.tasks_completed) == (1, 1)
    assert today_progress.streak == 1  # 100 % now; yesterday (1 of several) did not count
    later = stores.progress.get(USER, tomorrow + timedelta(days=1))
    assert later is not None
    assert later.tasks_total == 0
    history = stores.progress.get(USER, TODAY)
    assert history is not None
    assert history.tasks_total == len(yesterday)


def test_a_new_plan_keeps_completed_tasks_of_the_old_plan_dated_later(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    a_completed_assessment(stores, clock.now() - timedelta(days=1))
    generate(stores, clock)
    tasks = schedule(stores, clock, days=3)
    complete(stores, clock, tasks[0])
    clock.advance(timedelta(days=-1))  # the user's today moves back (e.g. a time zone change)

    generate(stores, clock)

    assert stores.calendar.get(USER, tasks[0].task_date, tasks[0].task_id) is not None
    assert stores.calendar.between(USER, TODAY + timedelta(days=1), TODAY + timedelta(days=3)) == []
