"""Cross-user listings fan out over the shards and page with one cursor: every item once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.dynamodb import keys
from domain.assessment import Assessment
from domain.time import iso
from ports.errors import InvalidCursor
from tests.support.dynamodb_backend import TEST_SHARDS
from tests.support.factories import DAY0, T0, a_progress, a_task, an_assessment, limits_for
from tests.support.stores import Stores

USERS = [f"user-{n}" for n in range(9)]


def started(stores: Stores, assessment: Assessment) -> None:
    limits = stores.limits.get(assessment.user_id) or limits_for(assessment.user_id)
    stores.assessments.start(assessment, limits)


def test_the_test_users_fall_on_several_shards() -> None:
    assert len({keys.shard_of(user, TEST_SHARDS) for user in USERS}) > 2


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_a_months_attempts_come_once_each_oldest_first_across_shards_and_ties(
    stores: Stores, limit: int
) -> None:
    attempts = [
        an_assessment(user, f"a-{user}-{n}", created_at=T0 + timedelta(minutes=n % 3))
        for user in USERS
        for n in range(3)
    ]
    for attempt in attempts:
        started(stores, attempt)
    started(stores, an_assessment("user-0", "next-month", created_at=T0 + timedelta(days=30)))
    seen: list[Assessment] = []
    cursor: str | None = None
    while True:
        page = stores.assessments.of_month("2026-11", limit=limit, cursor=cursor)
        assert 0 < len(page.items) <= limit
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(page.items) == limit
    order = [(iso(a.created_at), a.user_id, a.assessment_id) for a in seen]
    assert order == sorted((iso(a.created_at), a.user_id, a.assessment_id) for a in attempts)


def test_a_tests_attempts_since_a_moment_include_that_moment(stores: Stores) -> None:
    for n, user in enumerate(USERS):
        started(
            stores, an_assessment(user, f"a-{n}", test_id=4, created_at=T0 + timedelta(hours=n))
        )
    started(stores, an_assessment("user-0", "other-test", test_id=5, created_at=T0))
    since = T0 + timedelta(hours=3)
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = stores.assessments.of_test(4, since=since, limit=2, cursor=cursor)
        ids.extend(a.assessment_id for a in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert ids == [f"a-{n}" for n in range(3, 9)]


def test_a_user_scheduled_twice_for_a_date_is_listed_once(stores: Stores) -> None:
    early, late = T0, T0 + timedelta(hours=2)
    for n, user in enumerate(USERS):
        stores.calendar.add_tasks(
            [a_task(user, exercise_id="a", created_at=early + timedelta(minutes=n))],
            [a_progress(user, total=1)],
        )
    # Every user gets a second open task for the same date from a later scheduling call.
    for user in USERS:
        progress = stores.progress.get(user, DAY0)
        assert progress is not None
        stores.calendar.add_tasks(
            [a_task(user, exercise_id="b", created_at=late)],
            [a_progress(user, total=2, revision=progress.revision)],
        )
    for limit in (1, 2, 4):
        listed: list[str] = []
        cursor: str | None = None
        while True:
            users, cursor = stores.calendar.users_with_open_tasks(DAY0, limit=limit, cursor=cursor)
            assert 0 < len(users) <= limit
            listed.extend(users)
            if cursor is None:
                break
        assert sorted(listed) == USERS
        assert len(listed) == len(USERS)


def test_a_cursor_of_one_month_does_not_continue_another(stores: Stores) -> None:
    for n in range(3):
        started(stores, an_assessment("user-1", f"a-{n}", created_at=T0 + timedelta(minutes=n)))
    page = stores.assessments.of_month("2026-11", limit=1, cursor=None)
    assert page.next_cursor is not None
    with pytest.raises(InvalidCursor):
        stores.assessments.of_month("2026-12", limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        stores.assessments.of_test(1, since=T0, limit=1, cursor=page.next_cursor)
