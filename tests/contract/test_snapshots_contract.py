"""SnapshotReader, and the other reads and writes that save round trips (decisions 115-119).

SnapshotReader: several of one user's items from different tables in one read. Also here, on
both backends: ProgressRepository.chain, the progress CalendarRepository.set_completed returns,
the subscriptions AccountStore.erase hands over before deleting, and top streaks with ties.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from domain.assessment import AssessmentStatus
from domain.calendar import set_completed
from domain.progress import Progress, with_counts
from domain.subscription import Subscription
from ports.snapshots import Snapshot, SnapshotRequest
from tests.contract.storing import registered, stored
from tests.support.factories import (
    DAY0,
    T0,
    a_plan,
    a_progress,
    a_subscription,
    a_task,
    an_assessment,
)
from tests.support.stores import Stores

LATER = T0 + timedelta(hours=2)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def written(stores: Stores, *items: Progress) -> list[Progress]:
    """New progress items stored through the calendar write, as they read back."""
    stores.calendar.add_tasks([], list(items))
    return [dataclasses.replace(item, revision=1) for item in items]


# --- SnapshotReader ----------------------------------------------------------------------------


def test_asking_for_nothing_reads_nothing(stores: Stores) -> None:
    registered(stores)
    assert stores.snapshots.read(SnapshotRequest("user-1")) == Snapshot()


def test_every_part_reads_back_as_its_repository_reads_it(stores: Stores) -> None:
    registered(stores)
    attempt = stored(stores, an_assessment(status=AssessmentStatus.COMPLETED))
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])

    seen = stores.snapshots.read(
        SnapshotRequest(
            "user-1",
            user=True,
            limits=True,
            assessment_id=attempt.assessment_id,
            task=(DAY0, task.task_id),
            progress_date=DAY0,
        )
    )

    assert seen.user is not None
    assert seen.user == stores.users.get("user-1")
    assert seen.limits is not None
    assert seen.limits == stores.limits.get("user-1")
    assert seen.assessment == attempt == stores.assessments.get("user-1", attempt.assessment_id)
    assert seen.task == task
    assert seen.progress == a_progress(total=1, revision=1)


def test_only_the_parts_asked_for_are_returned(stores: Stores) -> None:
    registered(stores)
    seen = stores.snapshots.read(SnapshotRequest("user-1", limits=True))
    assert seen.limits is not None
    assert (seen.user, seen.assessment, seen.task, seen.progress) == (None, None, None, None)


def test_parts_that_are_not_stored_read_as_none(stores: Stores) -> None:
    registered(stores)
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    seen = stores.snapshots.read(
        SnapshotRequest(
            "user-1",
            user=True,
            assessment_id="no-such-attempt",
            task=(day(1), task.task_id),
            progress_date=day(1),
        )
    )
    assert seen.user is not None
    assert (seen.limits, seen.assessment, seen.task, seen.progress) == (None, None, None, None)


def test_an_unknown_user_reads_as_an_empty_snapshot(stores: Stores) -> None:
    seen = stores.snapshots.read(SnapshotRequest("nobody", user=True, limits=True))
    assert seen == Snapshot()


def test_another_users_items_are_never_read(stores: Stores) -> None:
    registered(stores, "user-1")
    registered(stores, "user-2")
    attempt = stored(stores, an_assessment("user-2"))
    task = a_task("user-2")
    stores.calendar.add_tasks([task], [a_progress("user-2", total=1)])
    seen = stores.snapshots.read(
        SnapshotRequest(
            "user-1",
            assessment_id=attempt.assessment_id,
            task=(DAY0, task.task_id),
            progress_date=DAY0,
        )
    )
    assert seen == Snapshot()


def test_an_email_reservation_is_not_a_user(stores: Stores) -> None:
    registered(stores)
    seen = stores.snapshots.read(SnapshotRequest("EMAIL#user-1@example.com", user=True))
    assert seen.user is None


def test_a_snapshot_sees_the_latest_writes(stores: Stores) -> None:
    registered(stores)
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    before = stores.snapshots.read(SnapshotRequest("user-1", task=(DAY0, task.task_id)))
    done = set_completed(task, True, LATER)
    progress = stores.progress.get("user-1", DAY0)
    assert progress is not None
    stores.calendar.set_completed(done, [with_counts(progress, 1, 1, LATER)])
    after = stores.snapshots.read(SnapshotRequest("user-1", task=(DAY0, task.task_id)))
    assert before.task == task
    assert after.task == done


# --- SnapshotReader: a progress chain with the profile and a task (decision 125) --------------

EXERCISES = ("ankle-circles", "calf-raises", "glute-bridge", "dead-bug", "wall-slide")


def a_schedule(stores: Stores, user_id: str, days: range, *, done_until: int = 0) -> None:
    """Five tasks a date and their progress, every date before `done_until` completed."""
    for n in days:
        done = n < done_until
        tasks = [a_task(user_id, day(n), e, completed=done) for e in EXERCISES]
        stores.calendar.add_tasks(
            tasks, [a_progress(user_id, day(n), total=5, completed=5 if done else 0)]
        )


def test_a_chain_reads_with_the_profile_and_a_task_as_their_repositories_read_them(
    stores: Stores,
) -> None:
    registered(stores, "user-1")
    registered(stores, "user-2")
    a_schedule(stores, "user-1", range(0, 40), done_until=20)
    a_schedule(stores, "user-2", range(10, 30))
    task = a_task("user-1", day(25), "dead-bug")

    seen = stores.snapshots.read(
        SnapshotRequest(
            "user-1", user=True, task=(day(25), task.task_id), progress_chain=(day(25), day(500))
        )
    )

    assert seen.user == stores.users.get("user-1")
    assert seen.task == stores.calendar.get("user-1", day(25), task.task_id)
    assert seen.task is not None
    assert seen.task.exercise_id == "dead-bug"
    assert seen.chain == stores.progress.chain("user-1", day(25), day(500))
    assert seen.chain is not None
    assert [p.date for p in seen.chain.items] == [day(n) for n in range(25, 40)]
    assert seen.chain.before is not None
    assert seen.chain.before.date == day(24)


def test_a_chain_part_keeps_to_its_range_and_finds_the_streak_before_it_far_back(
    stores: Stores,
) -> None:
    registered(stores, "user-1")
    [first] = written(stores, a_progress(day=day(0), total=1, completed=1, streak=1))
    written(stores, *(a_progress(day=day(n)) for n in range(1, 120)))  # no tasks
    a_schedule(stores, "user-1", range(120, 130))

    seen = stores.snapshots.read(
        SnapshotRequest("user-1", user=True, progress_chain=(day(119), day(122)))
    )

    assert seen.chain == stores.progress.chain("user-1", day(119), day(122))
    assert seen.chain is not None
    assert [p.date for p in seen.chain.items] == [day(n) for n in range(119, 123)]
    assert seen.chain.before == first


def test_a_chain_part_goes_with_parts_read_apart(stores: Stores) -> None:
    a_history(stores, "user-1")
    a_schedule(stores, "user-1", range(1, 4))
    task = a_task("user-1", day(1), "calf-raises")

    seen = stores.snapshots.read(
        SnapshotRequest(
            "user-1",
            limits=True,
            task=(day(1), task.task_id),
            plans=True,
            progress_chain=(day(2), day(3)),
        )
    )

    assert seen.task == stores.calendar.get("user-1", day(1), task.task_id)
    assert seen.limits == stores.limits.get("user-1")
    assert len(seen.plans) == 2
    assert seen.chain == stores.progress.chain("user-1", day(2), day(3))
    assert seen.chain is not None
    assert seen.chain.before is not None


def test_a_chain_of_a_user_without_progress_is_empty(stores: Stores) -> None:
    registered(stores, "user-1")
    a_schedule(stores, "user-2", range(0, 3))

    seen = stores.snapshots.read(
        SnapshotRequest("user-1", user=True, progress_chain=(day(0), day(9)))
    )

    assert seen.user is not None
    assert seen.chain is not None
    assert (list(seen.chain.items), seen.chain.before) == ([], None)
    assert stores.snapshots.read(SnapshotRequest("user-1", user=True)).chain is None


# --- ProgressRepository.chain ------------------------------------------------------------------


def test_a_chain_holds_the_range_oldest_first_and_the_streak_it_continues(
    stores: Stores,
) -> None:
    items = written(
        stores,
        a_progress(day=day(0), total=1, completed=1, streak=1),
        a_progress(day=day(1)),  # no tasks: a test improvement only
        *(a_progress(day=day(n), total=1) for n in (2, 3, 4, 5)),
    )
    written(stores, a_progress("user-2", day(1), total=1, streak=7))

    chain = stores.progress.chain("user-1", day(2), day(4))

    assert list(chain.items) == items[2:5]
    assert chain.before == items[0]  # day 1 has no tasks: it continues nothing
    assert list(chain.items) == list(stores.progress.between("user-1", day(2), day(4)))
    assert chain.before == stores.progress.latest_before("user-1", day(2))


def test_a_chain_from_the_first_date_continues_nothing(stores: Stores) -> None:
    items = written(stores, *(a_progress(day=day(n), total=1) for n in range(3)))
    chain = stores.progress.chain("user-1", day(0), day(10))
    assert (list(chain.items), chain.before) == (items, None)


def test_a_chain_over_dates_without_items_may_still_continue_a_streak(stores: Stores) -> None:
    [first] = written(stores, a_progress(day=day(0), total=2, completed=2, streak=3))
    chain = stores.progress.chain("user-1", day(5), day(400))
    assert (list(chain.items), chain.before) == ([], first)


def test_a_chain_reads_past_a_long_run_of_dates_without_tasks(stores: Stores) -> None:
    [first] = written(stores, a_progress(day=day(0), total=1, completed=1, streak=1))
    empty = written(stores, *(a_progress(day=day(n)) for n in range(1, 150)))
    chain = stores.progress.chain("user-1", day(149), day(149))
    assert (list(chain.items), chain.before) == ([empty[-1]], first)


def test_a_long_chain_holds_every_date_of_its_range(stores: Stores) -> None:
    items = written(stores, *(a_progress(day=day(n), total=1) for n in range(130)))
    chain = stores.progress.chain("user-1", day(1), day(129))
    assert (list(chain.items), chain.before) == (items[1:], items[0])


def test_a_chain_of_an_empty_range_is_the_streak_before_it(stores: Stores) -> None:
    [first] = written(stores, a_progress(day=day(0), total=1))
    chain = stores.progress.chain("user-1", day(3), day(2))
    assert (list(chain.items), chain.before) == ([], first)


# --- CalendarRepository.set_completed ----------------------------------------------------------


def test_a_completion_returns_the_progress_items_as_they_read_back(stores: Stores) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1), a_progress(day=day(1), total=1)])
    today = stores.progress.get("user-1", DAY0)
    tomorrow = stores.progress.get("user-1", day(1))
    assert today is not None
    assert tomorrow is not None
    changes = [with_counts(today, 1, 1, LATER), dataclasses.replace(tomorrow, streak=2)]

    returned = stores.calendar.set_completed(set_completed(task, True, LATER), changes)

    assert list(returned) == [
        stores.progress.get("user-1", DAY0),
        stores.progress.get("user-1", day(1)),
    ]
    assert [p.revision for p in returned] == [2, 2]


# --- AccountStore.erase ------------------------------------------------------------------------


def test_an_erasure_hands_over_the_subscriptions_before_deleting_anything(
    stores: Stores,
) -> None:
    registered(stores)
    subscriptions = [a_subscription(subscription_id=f"sub_{n}") for n in (2, 1)]
    for sub in subscriptions:
        stores.subscriptions.apply(sub, None)
    seen: list[Subscription] = []

    def before_deleting(found: Sequence[Subscription]) -> None:
        assert stores.users.get("user-1") is not None  # nothing deleted yet
        assert len(stores.subscriptions.list_for_user("user-1")) == 2
        seen.extend(found)

    deleted = stores.account.erase("user-1", None, before_deleting=before_deleting)

    assert sorted(seen, key=lambda s: s.subscription_id) == sorted(
        subscriptions, key=lambda s: s.subscription_id
    )
    assert deleted == 3 + 2  # user, reservation, limits, two subscriptions
    assert stores.users.get("user-1") is None


def test_an_erasure_stopped_before_deleting_deletes_nothing(stores: Stores) -> None:
    registered(stores)

    def refuse(_: Sequence[Subscription]) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        stores.account.erase("user-1", None, before_deleting=refuse)
    assert stores.users.get("user-1") is not None
    assert stores.limits.get("user-1") is not None


def test_an_erasure_frees_the_stored_users_email_and_never_anothers(stores: Stores) -> None:
    registered(stores, "user-1")
    registered(stores, "user-2")
    assert stores.account.erase("user-1", "user-2@example.com") == 2  # user and limits only
    assert stores.users.get_by_email("user-2@example.com") is not None
    assert stores.account.erase("user-2", None) == 3
    assert registered(stores, "user-3", email="user-2@example.com").user_id == "user-3"


def test_a_large_erasure_deletes_every_item(stores: Stores) -> None:
    registered(stores)
    tasks = [a_task(task_date=day(n // 7), exercise_id=f"e{n}") for n in range(73)]
    progress = [
        a_progress(day=day(d), total=sum(1 for t in tasks if t.task_date == day(d)))
        for d in range(11)
    ]
    stores.calendar.add_tasks(tasks, progress)
    assert stores.account.erase("user-1", None) == 3 + 73 + 11
    assert all(not rows for rows in stores.account.export("user-1").values())
    assert registered(stores, "user-9", email="user-1@example.com").user_id == "user-9"


# --- ProgressRepository.top_streaks ------------------------------------------------------------


def test_days_tied_at_the_cut_off_fill_the_page_with_some_of_them(stores: Stores) -> None:
    written(
        stores,
        *(
            a_progress(day=day(n), total=1, completed=1, streak=streak)
            for n, streak in enumerate([4, 2, 9, 2, 2, 1])
        ),
    )
    top = stores.progress.top_streaks("user-1", 3)
    assert [p.streak for p in top] == [9, 4, 2]
    assert top[2].date in {day(1), day(3), day(4)}


# --- a user's attempts and plans read with the point parts (decision 124) ----------------------


def a_history(stores: Stores, user_id: str) -> None:
    """Attempts of several states and times, two plans (one active), a task and progress."""
    registered(stores, user_id)
    for number, (days, status) in enumerate(
        [
            (0, AssessmentStatus.COMPLETED),
            (5, AssessmentStatus.COMPLETED),
            (5, AssessmentStatus.FAILED),
            (40, AssessmentStatus.COMPLETED),
        ]
    ):
        created = T0 - timedelta(days=days)
        stored(stores, an_assessment(user_id, f"a-{number}", created_at=created, status=status))
    stores.plans.activate(a_plan(user_id, 1), None)
    first = stores.plans.get_active(user_id)
    assert first is not None
    stores.plans.activate(a_plan(user_id, 2), dataclasses.replace(first, is_active=False))
    stores.calendar.add_tasks([a_task(user_id)], [a_progress(user_id, total=1)])


def test_the_collection_parts_read_as_their_repositories_read_them(stores: Stores) -> None:
    a_history(stores, "user-1")
    a_history(stores, "user-2")
    since = T0 - timedelta(days=10)

    seen = stores.snapshots.read(
        SnapshotRequest("user-1", user=True, limits=True, completed_since=since, plans=True)
    )

    assert list(seen.completed) == list(stores.assessments.completed_since("user-1", since))
    assert [a.assessment_id for a in seen.completed] == ["a-0", "a-1"]
    assert list(seen.plans) == list(stores.plans.list_for_user("user-1"))
    assert [(p.version, p.is_active) for p in seen.plans] == [(1, False), (2, True)]
    assert seen.user == stores.users.get("user-1")
    assert seen.limits == stores.limits.get("user-1")


def test_collection_parts_go_with_every_point_part(stores: Stores) -> None:
    a_history(stores, "user-1")
    since = T0 - timedelta(days=100)

    seen = stores.snapshots.read(
        SnapshotRequest(
            "user-1",
            assessment_id="a-2",
            task=(DAY0, a_task("user-1").task_id),
            progress_date=DAY0,
            completed_since=since,
            plans=True,
        )
    )

    assert seen.assessment == stores.assessments.get("user-1", "a-2")
    assert seen.task == stores.calendar.get("user-1", DAY0, a_task("user-1").task_id)
    assert seen.progress == stores.progress.get("user-1", DAY0)
    assert [a.assessment_id for a in seen.completed] == ["a-0", "a-1", "a-3"]
    assert len(seen.plans) == 2
    assert seen.user is None


def test_a_user_without_attempts_or_plans_reads_empty_collections(stores: Stores) -> None:
    registered(stores, "user-1")
    a_history(stores, "user-2")

    seen = stores.snapshots.read(
        SnapshotRequest("user-1", user=True, completed_since=T0 - timedelta(days=90), plans=True)
    )

    assert (seen.completed, seen.plans) == ((), ())
    assert seen.user is not None


def test_the_previous_completed_attempt_is_the_latest_of_the_test_started_before(
    stores: Stores,
) -> None:
    registered(stores, "user-1")
    registered(stores, "user-2")
    completed = AssessmentStatus.COMPLETED
    for attempt_id, days, test_id, status in [
        ("old", 30, 1, completed),
        ("tie-a", 20, 1, completed),
        ("tie-b", 20, 1, completed),  # same instant as tie-a: the greater id wins
        ("failed", 10, 1, AssessmentStatus.FAILED),
        ("other-test", 5, 2, completed),
        ("current", 0, 1, AssessmentStatus.PROCESSING),
        ("later", -1, 1, completed),
    ]:
        created = T0 - timedelta(days=days)
        attempt = an_assessment(
            "user-1", attempt_id, test_id=test_id, created_at=created, status=status
        )
        stored(stores, attempt)
    stored(
        stores,
        an_assessment("user-2", "theirs", created_at=T0 - timedelta(days=1), status=completed),
    )

    seen = stores.snapshots.read(
        SnapshotRequest("user-1", user=True, assessment_id="current", previous_completed=True)
    )

    assert seen.assessment is not None
    assert seen.assessment.assessment_id == "current"
    assert seen.previous is not None
    assert seen.previous.assessment_id == "tie-b"
    assert seen.previous == stores.assessments.get("user-1", "tie-b")
    first = stores.snapshots.read(
        SnapshotRequest("user-1", assessment_id="old", previous_completed=True)
    )
    assert first.previous is None
    missing = stores.snapshots.read(
        SnapshotRequest("user-1", assessment_id="nope", previous_completed=True)
    )
    assert (missing.assessment, missing.previous) == (None, None)
