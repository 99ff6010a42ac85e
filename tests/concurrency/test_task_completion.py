"""SetTaskCompletion raced: an app that retries and a user who taps fast (issue 12).

Eight tasks of one day, ten callers each completing (then un-completing) them at once: every
answer is the task as asked, and the day's progress counts exactly the tasks' states.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from adapters.memory.clock import FixedClock
from application.set_task_completion import SetTaskCompletion, SetTaskCompletionRequest
from domain.calendar import CalendarTask
from tests.concurrency.invariants import progress_violations
from tests.concurrency.setup import basic_user, tasks_on
from tests.integration.racing import all_at_once
from tests.support.factories import DAY0, T0
from tests.support.stores import Stores

USER = "tapper-1"
TASKS = 8
CALLERS = 10


def test_ten_callers_per_task_complete_and_undo_eight_tasks_and_progress_follows(
    stores: Stores,
) -> None:
    clock = FixedClock(T0 + timedelta(hours=1))
    basic_user(stores, USER)
    tasks = tasks_on(stores, USER, DAY0, TASKS)
    use_case = SetTaskCompletion(stores.snapshots, stores.calendar, clock)

    # Ten callers per task, half completing and half undoing: whatever wins, counts follow.
    outcomes = all_at_once(
        TASKS * CALLERS, lambda n: _set(use_case, tasks[n % TASKS], n // TASKS % 2 == 0)
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert progress_violations(stores, USER, DAY0, DAY0) == []
    for completed in (True, False):
        outcomes = all_at_once(TASKS * CALLERS, _caller(use_case, tasks, completed))
        assert [o for o in outcomes if isinstance(o, BaseException)] == []
        assert all(o is completed for o in outcomes)
        progress = stores.progress.get(USER, DAY0)
        assert progress is not None
        assert (progress.tasks_total, progress.tasks_completed) == (
            TASKS,
            TASKS if completed else 0,
        )
        assert progress_violations(stores, USER, DAY0, DAY0) == []


def test_complete_and_undo_of_one_task_at_once_leave_counts_equal_to_the_task(
    stores: Stores, runs: range
) -> None:
    clock = FixedClock(T0 + timedelta(hours=1))
    use_case = SetTaskCompletion(stores.snapshots, stores.calendar, clock)

    def race(run: int) -> None:
        user_id = f"flip-{run}"
        basic_user(stores, user_id)
        tasks = tasks_on(stores, user_id, DAY0, 2)
        outcomes = all_at_once(6, lambda n: _set(use_case, tasks[0], n % 2 == 0, user_id))
        assert [o for o in outcomes if isinstance(o, BaseException)] == []
        assert progress_violations(stores, user_id, DAY0, DAY0) == []

    for run in runs:
        race(run)


def _caller(
    use_case: SetTaskCompletion, tasks: list[CalendarTask], completed: bool
) -> Callable[[int], bool]:
    return lambda n: _set(use_case, tasks[n % TASKS], completed)


def _set(
    use_case: SetTaskCompletion, task: CalendarTask, completed: bool, user_id: str = USER
) -> bool:
    request = SetTaskCompletionRequest(user_id, task.task_date, task.task_id, completed)
    return use_case.execute(request).task.completed
