"""Every access pattern of the schema ("Access Patterns", database-schema.md), one test each.

Each test stores items the pattern must return next to items it must not (other users, other
dates, months and tests, inactive plans, canceled subscriptions) and asserts the exact result.
Decision 082 maps each pattern to its repository method and key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.assessment import Assessment, AssessmentStatus
from domain.errors import ConcurrentModification
from domain.plan import deactivate
from domain.progress import Progress
from domain.subscription import SubscriptionStatus
from domain.tiers import Tier
from ports.pagination import Page
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


def ids(items: Iterable[Assessment]) -> list[str]:
    return [a.assessment_id for a in items]


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def all_pages(stores: Stores, user_id: str, test_id: int | None, limit: int) -> list[Assessment]:
    """A user's attempts, following the cursors to the end; no page is empty."""
    found: list[Assessment] = []
    cursor: str | None = None
    while True:
        page: Page[Assessment] = stores.assessments.list_for_user(
            user_id, test_id=test_id, limit=limit, cursor=cursor
        )
        assert 0 < len(page.items) <= limit or (not found and not page.items)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


# --- users -----------------------------------------------------------------------------------


def test_get_user_by_user_id_reads_that_user_only(stores: Stores) -> None:
    ada = registered(stores, "user-1", "ada@example.com")
    registered(stores, "user-2", "bob@example.com")
    assert stores.users.get("user-1") == ada
    assert stores.users.get("user-3") is None


def test_get_user_by_email_reads_the_owner_of_that_email_only(stores: Stores) -> None:
    registered(stores, "user-1", "ada@example.com")
    bob = registered(stores, "user-2", "bob@example.com")
    assert stores.users.get_by_email("bob@example.com") == bob
    assert stores.users.get_by_email("carol@example.com") is None


# --- subscriptions ---------------------------------------------------------------------------


def test_get_active_subscription_leaves_out_ended_ones_and_other_users(stores: Stores) -> None:
    canceled = a_subscription(subscription_id="sub_1", status=SubscriptionStatus.CANCELED)
    active = a_subscription(subscription_id="sub_2", tier=Tier.PROPLUS, event_id="evt_2")
    past_due = a_subscription(subscription_id="sub_3", status=SubscriptionStatus.PAST_DUE)
    expired = a_subscription(subscription_id="sub_4", status=SubscriptionStatus.EXPIRED)
    theirs = a_subscription("user-2", "sub_5", customer="cus_2")
    for subscription in (canceled, active, past_due, expired, theirs):
        stores.subscriptions.apply(subscription, None)

    assert list(stores.subscriptions.active_for_user("user-1")) == [active]
    assert list(stores.subscriptions.active_for_user("user-3")) == []


def test_get_active_subscription_follows_a_cancellation(stores: Stores) -> None:
    active = a_subscription()
    stores.subscriptions.apply(active, None)
    canceled = dataclasses.replace(
        active, status=SubscriptionStatus.CANCELED, canceled_at=T0, last_event_id="evt_2"
    )
    stores.subscriptions.apply(canceled, active)
    assert list(stores.subscriptions.active_for_user("user-1")) == []


def test_get_subscriptions_by_stripe_customer_spans_statuses_and_no_other_customer(
    stores: Stores,
) -> None:
    canceled = a_subscription(subscription_id="sub_1", status=SubscriptionStatus.CANCELED)
    active = a_subscription(subscription_id="sub_2")
    other_customer = a_subscription("user-2", "sub_3", customer="cus_2")
    for subscription in (canceled, active, other_customer):
        stores.subscriptions.apply(subscription, None)

    assert list(stores.subscriptions.by_customer("cus_1")) == [canceled, active]
    assert list(stores.subscriptions.by_customer("cus_9")) == []


# --- assessments -----------------------------------------------------------------------------


def test_get_user_assessments_lists_that_users_newest_first(stores: Stores) -> None:
    for n, minutes in enumerate([3, 0, 7]):
        at = T0 + timedelta(minutes=minutes)
        stored(stores, an_assessment(assessment_id=f"a{n}", created_at=at))
        stored(stores, an_assessment("user-2", f"theirs-{n}", created_at=at))
    page = stores.assessments.list_for_user("user-1", test_id=None, limit=10, cursor=None)
    assert ids(page.items) == ["a2", "a0", "a1"]
    assert page.next_cursor is None


def test_get_assessments_by_test_type_spans_users_from_since_and_no_other_test(
    stores: Stores,
) -> None:
    stored(stores, an_assessment("user-1", "squat-1", test_id=1, created_at=T0))
    stored(stores, an_assessment("user-2", "squat-2", test_id=1, created_at=T0 + timedelta(1)))
    stored(stores, an_assessment("user-3", "squat-early", test_id=1, created_at=T0 - timedelta(1)))
    stored(stores, an_assessment("user-1", "balance", test_id=2, created_at=T0 + timedelta(2)))
    page = stores.assessments.of_test(1, since=T0, limit=10, cursor=None)
    assert sorted(ids(page.items)) == ["squat-1", "squat-2"]


def test_get_monthly_assessments_spans_users_and_no_other_month(stores: Stores) -> None:
    stored(stores, an_assessment("user-1", "november-1"))
    stored(stores, an_assessment("user-2", "november-2", status=AssessmentStatus.COMPLETED))
    last_moment = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    stored(stores, an_assessment("user-3", "november-3", created_at=last_moment))
    stored(
        stores, an_assessment("user-1", "december", created_at=datetime(2026, 12, 1, tzinfo=UTC))
    )
    stored(
        stores, an_assessment("user-2", "october", created_at=datetime(2026, 10, 31, tzinfo=UTC))
    )
    page = stores.assessments.of_month("2026-11", limit=10, cursor=None)
    assert sorted(ids(page.items)) == ["november-1", "november-2", "november-3"]


# --- plans -----------------------------------------------------------------------------------


def test_get_active_plan_leaves_out_replaced_versions_and_other_users(stores: Stores) -> None:
    first = a_plan(version=1)
    stores.plans.activate(first, None)
    later = T0 + timedelta(days=1)
    second = a_plan(version=2, created_at=later)
    stores.plans.activate(second, deactivate(first, later))
    stores.plans.activate(a_plan("user-2", version=3, created_at=later + timedelta(1)), None)
    assert stores.plans.get_active("user-1") == second
    assert stores.plans.get_active("user-3") is None


# --- calendar tasks --------------------------------------------------------------------------


def test_get_tasks_for_date_leaves_out_the_neighbouring_dates_and_other_users(
    stores: Stores,
) -> None:
    mine = [a_task(task_date=DAY0, exercise_id=e) for e in ("squats", "ankle-circles", "plank")]
    neighbours = [a_task(task_date=day(n), exercise_id="squats") for n in (-1, 1)]
    theirs = [a_task("user-2", DAY0, plan_id="plan-user-2-v1")]
    stores.calendar.add_tasks([*mine, *neighbours, *theirs], [])

    found = stores.calendar.on_date("user-1", DAY0)

    assert list(found) == sorted(mine, key=lambda t: t.task_id)
    assert list(stores.calendar.on_date("user-1", day(2))) == []


def test_get_tasks_by_date_range_is_inclusive_and_per_user(stores: Stores) -> None:
    tasks = {n: a_task(task_date=day(n)) for n in range(-1, 4)}
    stores.calendar.add_tasks(list(tasks.values()), [])
    stores.calendar.add_tasks([a_task("user-2", day(1), plan_id="plan-user-2-v1")], [])

    found = stores.calendar.between("user-1", day(0), day(2))

    assert list(found) == [tasks[0], tasks[1], tasks[2]]


# --- progress --------------------------------------------------------------------------------


def written(stores: Stores, *items: Progress) -> list[Progress]:
    """New progress items stored through the calendar write, as they read back."""
    stores.calendar.add_tasks([], list(items))
    return [dataclasses.replace(item, revision=1) for item in items]


def test_get_progress_for_date_reads_that_users_date_only(stores: Stores) -> None:
    _, today, _ = written(
        stores,
        a_progress(day=day(-1), total=2, completed=2, streak=1),
        a_progress(day=day(0), total=3, completed=1, streak=1),
        a_progress(day=day(1), total=1),
    )
    written(stores, a_progress("user-2", day(0), total=5, completed=5, streak=9))
    assert stores.progress.get("user-1", DAY0) == today
    assert stores.progress.get("user-1", day(2)) is None


def test_get_top_streaks_is_descending_limited_and_per_user(stores: Stores) -> None:
    streaks = [2, 6, 1, 4, 3]
    written(
        stores,
        *(a_progress(day=day(n), total=1, completed=1, streak=s) for n, s in enumerate(streaks)),
    )
    written(stores, a_progress("user-2", day(0), total=1, completed=1, streak=50))

    top = stores.progress.top_streaks("user-1", 3)

    assert [(p.user_id, p.streak, p.date) for p in top] == [
        ("user-1", 6, day(1)),
        ("user-1", 4, day(3)),
        ("user-1", 3, day(4)),
    ]


# --- user limits -----------------------------------------------------------------------------


def test_get_limits_reads_that_users_row_only(stores: Stores) -> None:
    registered(stores, "user-1")
    registered(stores, "user-2")
    theirs = stores.limits.get("user-2")
    assert theirs is not None
    stores.limits.save(dataclasses.replace(theirs, strikes=2))

    mine = stores.limits.get("user-1")

    assert mine is not None
    assert (mine.user_id, mine.strikes, mine.revision) == ("user-1", 0, 1)
    assert stores.limits.get("user-3") is None


def test_update_limits_is_atomic_and_conditional_on_the_revision_read(stores: Stores) -> None:
    registered(stores, "user-1")
    read = stores.limits.get("user-1")
    assert read is not None
    first = stores.limits.save(dataclasses.replace(read, video_quota_used_hourly=1))
    with pytest.raises(ConcurrentModification):
        stores.limits.save(dataclasses.replace(read, video_quota_used_daily=1))

    assert stores.limits.get("user-1") == first
    assert first.revision == read.revision + 1
    assert (first.video_quota_used_hourly, first.video_quota_used_daily) == (1, 0)


# --- a user's attempts newest first, without reading the whole partition (decision 081) --------


def test_attempts_started_at_the_same_moment_page_one_by_one_by_id_descending(
    stores: Stores,
) -> None:
    for assessment_id in ["b", "e", "a", "d", "c"]:
        stored(stores, an_assessment(assessment_id=assessment_id))
    stored(stores, an_assessment(assessment_id="newer", created_at=T0 + timedelta(seconds=1)))
    stored(stores, an_assessment(assessment_id="older", created_at=T0 - timedelta(seconds=1)))

    found = all_pages(stores, "user-1", None, limit=1)

    assert ids(found) == ["newer", "e", "d", "c", "b", "a", "older"]


def test_one_tests_attempts_page_through_many_attempts_of_other_tests(stores: Stores) -> None:
    for n in range(12):
        test_id = 1 if n in (0, 5, 11) else 2 + n % 3
        created_at = T0 + timedelta(minutes=n)
        stored(
            stores, an_assessment(assessment_id=f"a{n:02d}", test_id=test_id, created_at=created_at)
        )

    found = all_pages(stores, "user-1", 1, limit=2)

    assert ids(found) == ["a11", "a05", "a00"]


def test_completed_since_is_newest_first_and_leaves_out_other_users(stores: Stores) -> None:
    completed = AssessmentStatus.COMPLETED
    for n in range(4):
        at = T0 + timedelta(hours=n)
        stored(stores, an_assessment(assessment_id=f"c{n}", created_at=at, status=completed))
    stored(
        stores,
        an_assessment("user-2", "theirs", created_at=T0 + timedelta(hours=9), status=completed),
    )
    stored(stores, an_assessment(assessment_id="open", created_at=T0 + timedelta(hours=5)))

    found = stores.assessments.completed_since("user-1", T0 + timedelta(hours=1))

    assert ids(found) == ["c3", "c2", "c1"]


attempts = st.lists(
    st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=3)),
    min_size=0,
    max_size=8,
)
_examples = iter(range(10**6))


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    attempts=attempts,
    limit=st.integers(min_value=1, max_value=4),
    test_id=st.sampled_from([None, 1]),
)
def test_paging_a_users_attempts_lists_each_once_newest_first_ties_by_id_descending(
    stores: Stores, attempts: list[tuple[int, int]], limit: int, test_id: int | None
) -> None:
    user_id = f"user-p{next(_examples)}"  # examples share the stores: a user of their own
    expected = []
    for n, (minutes, test) in enumerate(attempts):
        attempt = an_assessment(
            user_id, f"id-{n}", test_id=test, created_at=T0 + timedelta(minutes=minutes)
        )
        stored(stores, attempt)
        if test_id is None or test == test_id:
            expected.append(attempt)
    expected.sort(key=lambda a: (a.created_at, a.assessment_id), reverse=True)

    assert ids(all_pages(stores, user_id, test_id, limit)) == ids(expected)
