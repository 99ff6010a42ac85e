"""CalendarRepository: tasks written with their dates' progress, and the open-task view."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date, timedelta

import pytest

from domain.calendar import set_completed
from domain.errors import ConcurrentModification, NotFound
from domain.plan import deactivate
from domain.progress import Progress, with_counts
from ports.errors import InvalidCursor
from tests.support.factories import DAY0, T0, a_plan, a_progress, a_task
from tests.support.stores import Stores

LATER = T0 + timedelta(hours=2)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def stored_progress(stores: Stores, user_id: str, on: date) -> Progress:
    item = stores.progress.get(user_id, on)
    assert item is not None
    return item


# --- adding ----------------------------------------------------------------------------------


def test_added_tasks_read_back_with_the_progress_of_their_date(stores: Stores) -> None:
    tasks = [a_task(exercise_id="ankle-circles"), a_task(exercise_id="calf-raises")]
    stores.calendar.add_tasks(tasks, [a_progress(total=2)])
    for task in tasks:
        assert stores.calendar.get("user-1", DAY0, task.task_id) == task
    assert stores.progress.get("user-1", DAY0) == a_progress(total=2, revision=1)


def test_an_unknown_task_reads_as_none(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    assert stores.calendar.get("user-1", day(1), task.task_id) is None
    assert stores.calendar.get("user-2", DAY0, task.task_id) is None


def test_between_is_inclusive_by_date_then_task_id_and_per_user(stores: Stores) -> None:
    tasks = [a_task(task_date=day(n), exercise_id=e) for n in (3, 0, 1, 2) for e in ("b", "a")]
    progress = [a_progress(day=day(n), total=2) for n in range(4)]
    stores.calendar.add_tasks(tasks, progress)
    stores.calendar.add_tasks([a_task("user-2", day(1))], [a_progress("user-2", day(1), total=1)])
    found = stores.calendar.between("user-1", day(1), day(2))
    expected = sorted(
        (t for t in tasks if day(1) <= t.task_date <= day(2)), key=lambda t: t.sort_key
    )
    assert list(found) == expected
    assert [t.task_date for t in found] == [day(1), day(1), day(2), day(2)]


def test_scheduling_again_never_overwrites_a_completed_task(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    done = set_completed(task, True, LATER)
    progress = stored_progress(stores, "user-1", DAY0)
    stores.calendar.set_completed(done, [with_counts(progress, 1, 1, LATER)])
    progress = stored_progress(stores, "user-1", DAY0)
    stores.calendar.add_tasks([task], [progress])
    assert stores.calendar.get("user-1", DAY0, task.task_id) == done


def test_adding_with_a_stale_progress_creates_none_of_that_dates_tasks(stores: Stores) -> None:
    first = a_task(exercise_id="ankle-circles")
    stores.calendar.add_tasks([first], [a_progress(total=1)])
    second = a_task(exercise_id="calf-raises")
    with pytest.raises(ConcurrentModification):
        stores.calendar.add_tasks([second], [a_progress(total=2)])  # revision 0: must be new
    assert stores.calendar.get("user-1", DAY0, second.task_id) is None
    assert stores.progress.get("user-1", DAY0) == a_progress(total=1, revision=1)


# --- removing --------------------------------------------------------------------------------


def test_removing_deletes_open_tasks_and_spares_completed_ones(stores: Stores) -> None:
    open_task = a_task(exercise_id="ankle-circles")
    done = a_task(exercise_id="calf-raises", completed=True)
    stores.calendar.add_tasks([open_task, done], [a_progress(total=2, completed=1)])
    progress = stored_progress(stores, "user-1", DAY0)
    after = with_counts(progress, 1, 1, LATER)
    stores.calendar.remove_tasks([open_task, done], [after])
    assert list(stores.calendar.between("user-1", DAY0, DAY0)) == [done]
    assert stores.progress.get("user-1", DAY0) == dataclasses.replace(
        after, revision=progress.revision + 1
    )


def test_removing_with_a_stale_progress_deletes_nothing(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    with pytest.raises(ConcurrentModification):
        stores.calendar.remove_tasks([task], [a_progress(total=0)])  # revision 0: must be new
    assert stores.calendar.get("user-1", DAY0, task.task_id) == task


def test_removing_a_task_that_is_gone_already_is_fine(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    progress = stored_progress(stores, "user-1", DAY0)
    stores.calendar.remove_tasks([task], [with_counts(progress, 0, 0, LATER)])
    progress = stored_progress(stores, "user-1", DAY0)
    stores.calendar.remove_tasks([task], [progress])
    assert stores.calendar.get("user-1", DAY0, task.task_id) is None


# --- completing ------------------------------------------------------------------------------


def test_a_completion_writes_the_task_and_every_progress_item_it_changes(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks(
        [task, a_task(task_date=day(1))], [a_progress(total=1), a_progress(day=day(1), total=1)]
    )
    today = dataclasses.replace(
        with_counts(stored_progress(stores, "user-1", DAY0), 1, 1, LATER), streak=1
    )
    tomorrow = dataclasses.replace(stored_progress(stores, "user-1", day(1)), updated_at=LATER)
    done = set_completed(task, True, LATER)
    stores.calendar.set_completed(done, [today, tomorrow])
    assert stores.calendar.get("user-1", DAY0, task.task_id) == done
    assert stores.progress.get("user-1", DAY0) == dataclasses.replace(today, revision=2)
    assert stores.progress.get("user-1", day(1)) == dataclasses.replace(tomorrow, revision=2)


def test_a_completion_with_one_stale_progress_item_writes_nothing(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks(
        [task, a_task(task_date=day(1))], [a_progress(total=1), a_progress(day=day(1), total=1)]
    )
    today = with_counts(stored_progress(stores, "user-1", DAY0), 1, 1, LATER)
    stale_tomorrow = a_progress(day=day(1), total=1, streak=1)  # revision 0
    with pytest.raises(ConcurrentModification):
        stores.calendar.set_completed(set_completed(task, True, LATER), [today, stale_tomorrow])
    assert stores.calendar.get("user-1", DAY0, task.task_id) == task
    assert stores.progress.get("user-1", DAY0) == a_progress(total=1, revision=1)


def test_completing_a_task_that_does_not_exist_is_not_found(stores: Stores) -> None:
    task = a_task()
    with pytest.raises(NotFound):
        stores.calendar.set_completed(set_completed(task, True, LATER), [])
    assert stores.calendar.get("user-1", DAY0, task.task_id) is None


def test_a_task_can_be_uncompleted_again(stores: Stores) -> None:
    task = a_task(completed=True)
    stores.calendar.add_tasks([task], [a_progress(total=1, completed=1)])
    progress = stored_progress(stores, "user-1", DAY0)
    undone = set_completed(task, False, LATER)
    stores.calendar.set_completed(undone, [with_counts(progress, 1, 0, LATER)])
    assert stores.calendar.get("user-1", DAY0, task.task_id) == undone


# --- users with open tasks -------------------------------------------------------------------


def test_users_with_open_tasks_are_distinct_sorted_and_of_that_date_only(stores: Stores) -> None:
    for user in ("user-3", "user-1"):
        tasks = [a_task(user, exercise_id="a"), a_task(user, exercise_id="b")]
        stores.calendar.add_tasks(tasks, [a_progress(user, total=2)])
    stores.calendar.add_tasks(
        [a_task("user-2", completed=True)], [a_progress("user-2", total=1, completed=1)]
    )
    stores.calendar.add_tasks([a_task("user-4", day(1))], [a_progress("user-4", day(1), total=1)])
    users, cursor = stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None)
    assert list(users) == ["user-1", "user-3"]
    assert cursor is None


def test_a_completed_task_takes_its_user_off_the_open_list(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    progress = stored_progress(stores, "user-1", DAY0)
    stores.calendar.set_completed(
        set_completed(task, True, LATER), [with_counts(progress, 1, 1, LATER)]
    )
    users, _ = stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None)
    assert list(users) == []


def test_users_with_open_tasks_page_by_page_list_each_once_in_order(stores: Stores) -> None:
    names = [f"user-{n}" for n in range(5)]
    for user in names:
        stores.calendar.add_tasks([a_task(user)], [a_progress(user, total=1)])
    seen: list[str] = []
    cursor: str | None = None
    while True:
        users, cursor = stores.calendar.users_with_open_tasks(DAY0, limit=2, cursor=cursor)
        assert len(users) <= 2
        seen.extend(users)
        if cursor is None:
            break
    assert seen == names


@pytest.mark.parametrize(
    "cursor", ["not a cursor!", base64.urlsafe_b64encode(b"not json").decode()]
)
def test_an_open_task_cursor_that_was_never_issued_is_invalid(stores: Stores, cursor: str) -> None:
    stores.calendar.add_tasks([a_task()], [a_progress(total=1)])
    with pytest.raises(InvalidCursor):
        stores.calendar.users_with_open_tasks(DAY0, limit=2, cursor=cursor)


def test_completing_a_task_completed_meanwhile_is_a_conflict_and_writes_nothing(
    stores: Stores,
) -> None:
    # The caller read it open and moves the progress by one: a completed task means the
    # progress delta was decided from a stale state (issue 12).
    task = a_task(completed=True)
    stores.calendar.add_tasks([task], [a_progress(total=1, completed=1)])
    progress = stored_progress(stores, "user-1", DAY0)
    with pytest.raises(ConcurrentModification):
        stores.calendar.set_completed(
            set_completed(a_task(), True, LATER), [with_counts(progress, 1, 1, LATER)]
        )
    assert stores.progress.get("user-1", DAY0) == progress
    assert stores.calendar.get("user-1", DAY0, task.task_id) == task


def test_a_progress_repair_is_guarded_by_the_state_the_task_was_read_in(
    stores: Stores,
) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1, completed=1)])
    progress = stored_progress(stores, "user-1", DAY0)
    repaired = with_counts(progress, 1, 0, LATER)
    with pytest.raises(ConcurrentModification):
        stores.calendar.set_completed(task, [repaired], was_completed=True)
    stores.calendar.set_completed(task, [repaired], was_completed=False)
    stored = stores.progress.get("user-1", DAY0)
    assert stored is not None
    assert stored.tasks_completed == 0


def test_tasks_are_added_and_removed_only_while_their_plan_is_the_active_one(
    stores: Stores,
) -> None:
    plan = a_plan()
    stores.plans.activate(plan, None)
    task = a_task(plan_id=plan.plan_id)
    stores.calendar.add_tasks([task], [a_progress(total=1)], while_active=plan)
    assert stores.calendar.get("user-1", DAY0, task.task_id) == task
    newer = a_plan(version=2, created_at=LATER)
    stores.plans.activate(newer, deactivate(plan, LATER))
    other = a_task(task_date=day(1), plan_id=plan.plan_id)
    with pytest.raises(ConcurrentModification):
        stores.calendar.add_tasks([other], [a_progress(day=day(1), total=1)], while_active=plan)
    assert stores.calendar.get("user-1", day(1), other.task_id) is None
    progress = stored_progress(stores, "user-1", DAY0)
    with pytest.raises(ConcurrentModification):
        stores.calendar.remove_tasks(
            [task], [with_counts(progress, 0, 0, LATER)], while_active=plan
        )
    assert stores.calendar.get("user-1", DAY0, task.task_id) == task
    stores.calendar.remove_tasks([task], [with_counts(progress, 0, 0, LATER)], while_active=newer)
    assert stores.calendar.get("user-1", DAY0, task.task_id) is None
