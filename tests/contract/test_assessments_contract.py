"""AssessmentRepository: starts and finishes tied to quota and progress, and the listings."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.assessment import Assessment, AssessmentStatus
from domain.dosage import reps
from domain.errors import ConcurrentModification, InvalidTransition, NotFound
from domain.progress import improvement
from domain.scores import Score
from ports.errors import InvalidCursor
from ports.pagination import Page
from tests.contract.storing import stored
from tests.support.factories import DAY0, T0, a_progress, a_task, an_assessment, limits_for
from tests.support.stores import Stores

BAD_CURSORS = ["not a cursor!", base64.urlsafe_b64encode(b"not json").decode()]


def ids(items: list[Assessment]) -> list[str]:
    return [a.assessment_id for a in items]


def every_page(fetch: Callable[[str | None], Page[Assessment]]) -> list[list[Assessment]]:
    """Follow the cursors to the end; every page is non-empty but the last may be."""
    pages: list[list[Assessment]] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        pages.append(list(page.items))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


# --- start -----------------------------------------------------------------------------------


def test_a_start_stores_the_attempt_and_the_limits_at_the_next_revision(stores: Stores) -> None:
    limits = stores.limits.save(limits_for("user-1"))
    attempt = an_assessment()
    moved = dataclasses.replace(limits, video_quota_used_hourly=1)
    returned = stores.assessments.start(attempt, moved)
    assert returned == dataclasses.replace(moved, revision=limits.revision + 1)
    assert stores.limits.get("user-1") == returned
    assert stores.assessments.get("user-1", attempt.assessment_id) == attempt


def test_a_start_that_lost_the_race_stores_no_attempt(stores: Stores) -> None:
    read = stores.limits.save(limits_for("user-1"))
    winner = stores.limits.save(dataclasses.replace(read, video_quota_used_hourly=1))
    with pytest.raises(ConcurrentModification):
        stores.assessments.start(an_assessment(), dataclasses.replace(read, strikes=1))
    assert stores.assessments.get("user-1", "assessment-1") is None
    assert stores.limits.get("user-1") == winner


def test_starting_an_existing_attempt_again_is_refused_and_moves_no_counter(
    stores: Stores,
) -> None:
    limits = stores.assessments.start(an_assessment(), stores.limits.save(limits_for("user-1")))
    with pytest.raises(ConcurrentModification):
        stores.assessments.start(an_assessment(test_id=2), limits)
    assert stores.limits.get("user-1") == limits
    assert stores.assessments.get("user-1", "assessment-1") == an_assessment()


# --- finish ----------------------------------------------------------------------------------


def test_a_finish_stores_the_terminal_attempt(stores: Stores) -> None:
    done = stored(stores, an_assessment(status=AssessmentStatus.COMPLETED))
    assert stores.assessments.get("user-1", "assessment-1") == done


def test_a_second_finish_is_an_invalid_transition_and_keeps_the_first(stores: Stores) -> None:
    done = stored(stores, an_assessment(status=AssessmentStatus.COMPLETED))
    with pytest.raises(InvalidTransition):
        stores.assessments.finish(an_assessment(status=AssessmentStatus.FAILED))
    assert stores.assessments.get("user-1", "assessment-1") == done


def test_finishing_an_unknown_attempt_is_not_found(stores: Stores) -> None:
    with pytest.raises(NotFound):
        stores.assessments.finish(an_assessment(status=AssessmentStatus.FAILED))
    assert stores.assessments.get("user-1", "assessment-1") is None


def test_a_finish_writes_the_refund_and_the_progress_with_it(stores: Stores) -> None:
    stored(stores, an_assessment())
    limits = stores.limits.get("user-1")
    assert limits is not None
    refund = dataclasses.replace(limits, video_quota_used_daily=0)
    gain = a_progress(improvements=(improvement(1, Score.LIMITED, Score.PASS),))
    failed = an_assessment(status=AssessmentStatus.FAILED)
    stores.assessments.finish(failed, refund=refund, progress=[gain])
    assert stores.assessments.get("user-1", "assessment-1") == failed
    assert stores.limits.get("user-1") == dataclasses.replace(refund, revision=limits.revision + 1)
    assert stores.progress.get("user-1", DAY0) == dataclasses.replace(gain, revision=1)


def test_a_finish_with_a_stale_refund_leaves_the_attempt_processing(stores: Stores) -> None:
    processing = stored(stores, an_assessment())
    read = stores.limits.get("user-1")
    assert read is not None
    stores.limits.save(dataclasses.replace(read, strikes=1))
    with pytest.raises(ConcurrentModification):
        stores.assessments.finish(
            an_assessment(status=AssessmentStatus.FAILED),
            refund=dataclasses.replace(read, video_quota_used_daily=0),
        )
    assert stores.assessments.get("user-1", "assessment-1") == processing


def test_a_finish_with_a_stale_progress_leaves_everything_as_it_was(stores: Stores) -> None:
    processing = stored(stores, an_assessment())
    stores.calendar.add_tasks([], [a_progress()])
    limits = stores.limits.get("user-1")
    assert limits is not None
    gain = a_progress(improvements=(improvement(1, Score.LIMITED, Score.PASS),))  # revision 0
    with pytest.raises(ConcurrentModification):
        stores.assessments.finish(
            an_assessment(status=AssessmentStatus.FAILED),
            refund=dataclasses.replace(limits, video_quota_used_daily=0),
            progress=[gain],
        )
    assert stores.assessments.get("user-1", "assessment-1") == processing
    assert stores.limits.get("user-1") == limits
    assert stores.progress.get("user-1", DAY0) == a_progress(revision=1)


# --- one user's attempts -----------------------------------------------------------------------


def test_an_unknown_attempt_reads_as_none(stores: Stores) -> None:
    stored(stores, an_assessment())
    assert stores.assessments.get("user-1", "assessment-2") is None
    assert stores.assessments.get("user-2", "assessment-1") is None


def test_a_users_attempts_are_listed_newest_first(stores: Stores) -> None:
    for n, minutes in enumerate([5, 0, 10]):
        stored(
            stores, an_assessment(assessment_id=f"a{n}", created_at=T0 + timedelta(minutes=minutes))
        )
    stored(stores, an_assessment("user-2", "other"))
    page = stores.assessments.list_for_user("user-1", test_id=None, limit=10, cursor=None)
    assert ids(list(page.items)) == ["a2", "a0", "a1"]
    assert page.next_cursor is None


def test_attempts_started_at_the_same_time_are_listed_by_id_descending(stores: Stores) -> None:
    for assessment_id in ["b", "c", "a"]:
        stored(stores, an_assessment(assessment_id=assessment_id))
    page = stores.assessments.list_for_user("user-1", test_id=None, limit=10, cursor=None)
    assert ids(list(page.items)) == ["c", "b", "a"]


def test_a_users_attempts_of_one_test_leave_the_other_tests_out(stores: Stores) -> None:
    stored(stores, an_assessment(assessment_id="squat", test_id=1))
    stored(stores, an_assessment(assessment_id="balance", test_id=2, created_at=T0 + timedelta(1)))
    page = stores.assessments.list_for_user("user-1", test_id=1, limit=10, cursor=None)
    assert ids(list(page.items)) == ["squat"]


def test_a_users_attempts_page_by_page_list_each_once_in_order(stores: Stores) -> None:
    for n in range(5):
        stored(stores, an_assessment(assessment_id=f"a{n}", created_at=T0 + timedelta(minutes=n)))
    pages = every_page(
        lambda cursor: stores.assessments.list_for_user(
            "user-1", test_id=None, limit=2, cursor=cursor
        )
    )
    assert all(len(page) <= 2 for page in pages)
    assert [len(page) for page in pages][:2] == [2, 2]
    assert ids([a for page in pages for a in page]) == ["a4", "a3", "a2", "a1", "a0"]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_cursor_that_was_never_issued_is_invalid(stores: Stores, cursor: str) -> None:
    stored(stores, an_assessment())
    with pytest.raises(InvalidCursor):
        stores.assessments.list_for_user("user-1", test_id=None, limit=2, cursor=cursor)
    with pytest.raises(InvalidCursor):
        stores.assessments.of_month("2026-11", limit=2, cursor=cursor)
    with pytest.raises(InvalidCursor):
        stores.assessments.of_test(1, since=T0, limit=2, cursor=cursor)


def test_completed_since_counts_from_the_very_moment_and_only_completed_ones(
    stores: Stores,
) -> None:
    completed = AssessmentStatus.COMPLETED
    stored(stores, an_assessment(assessment_id="at", created_at=T0, status=completed))
    before = T0 - timedelta(seconds=1)
    stored(stores, an_assessment(assessment_id="before", created_at=before, status=completed))
    stored(stores, an_assessment(assessment_id="failed", status=AssessmentStatus.FAILED))
    stored(stores, an_assessment(assessment_id="open"))
    stored(stores, an_assessment("user-2", "theirs", status=completed))
    found = stores.assessments.completed_since("user-1", T0)
    assert ids(list(found)) == ["at"]


# --- every user's attempts -------------------------------------------------------------------


def test_a_months_attempts_span_users_and_leave_other_months_out(stores: Stores) -> None:
    stored(stores, an_assessment("user-1", "mine"))
    stored(stores, an_assessment("user-2", "theirs", created_at=T0 + timedelta(hours=1)))
    december = datetime(2026, 12, 1, tzinfo=UTC)
    stored(stores, an_assessment("user-1", "december", created_at=december))
    page = stores.assessments.of_month("2026-11", limit=10, cursor=None)
    assert sorted(ids(list(page.items))) == ["mine", "theirs"]


def test_a_months_attempts_page_by_page_list_each_once(stores: Stores) -> None:
    expected = []
    for n in range(5):
        user = f"user-{n % 3}"
        stored(stores, an_assessment(user, f"a{n}", created_at=T0 + timedelta(minutes=n % 2)))
        expected.append(f"a{n}")
    pages = every_page(
        lambda cursor: stores.assessments.of_month("2026-11", limit=2, cursor=cursor)
    )
    assert all(len(page) <= 2 for page in pages)
    assert sorted(ids([a for page in pages for a in page])) == expected


def test_a_tests_attempts_count_from_since_across_users(stores: Stores) -> None:
    stored(stores, an_assessment("user-1", "at", created_at=T0))
    stored(stores, an_assessment("user-2", "after", created_at=T0 + timedelta(days=3)))
    stored(stores, an_assessment("user-1", "before", created_at=T0 - timedelta(seconds=1)))
    stored(stores, an_assessment("user-3", "other-test", test_id=2))
    page = stores.assessments.of_test(1, since=T0, limit=10, cursor=None)
    assert sorted(ids(list(page.items))) == ["after", "at"]


def test_a_tests_attempts_page_by_page_list_each_once(stores: Stores) -> None:
    for n in range(5):
        stored(stores, an_assessment(f"user-{n}", f"a{n}", created_at=T0 + timedelta(days=n)))
    pages = every_page(
        lambda cursor: stores.assessments.of_test(1, since=T0, limit=2, cursor=cursor)
    )
    assert all(len(page) <= 2 for page in pages)
    assert sorted(ids([a for page in pages for a in page])) == [f"a{n}" for n in range(5)]


# --- finish completes a retest task ------------------------------------------------------------


def test_a_finish_completes_the_retest_task_and_writes_the_days_progress(stores: Stores) -> None:
    stored(stores, an_assessment())
    retest = a_task(exercise_id="retest-1")
    other = a_task(exercise_id="ankle-circles", dosage=reps(2, 10, 30))
    stores.calendar.add_tasks([retest, other], [a_progress(total=2)])
    day = stores.progress.get("user-1", DAY0)
    assert day is not None
    done = dataclasses.replace(retest, completed=True, completed_at=T0 + timedelta(minutes=3))
    counted = a_progress(total=2, completed=1, revision=day.revision)
    completed = an_assessment(status=AssessmentStatus.COMPLETED)
    stores.assessments.finish(completed, progress=[counted], retest=done)
    assert stores.assessments.get("user-1", "assessment-1") == completed
    assert stores.calendar.get("user-1", DAY0, retest.task_id) == done
    assert stores.calendar.get("user-1", DAY0, other.task_id) == other
    assert stores.progress.get("user-1", DAY0) == dataclasses.replace(
        counted, revision=day.revision + 1
    )
    # The completed retest no longer holds the user among those with open tasks.
    assert stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None)[0] == ["user-1"]
    stores.calendar.set_completed(dataclasses.replace(other, completed=True, completed_at=T0), [])
    assert stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None)[0] == []


@pytest.mark.parametrize("meanwhile", ["completed", "removed"])
def test_a_finish_whose_retest_moved_meanwhile_writes_nothing(
    stores: Stores, meanwhile: str
) -> None:
    processing = stored(stores, an_assessment())
    retest = a_task(exercise_id="retest-1")
    stores.calendar.add_tasks([retest], [a_progress(total=1)])
    if meanwhile == "completed":
        stores.calendar.set_completed(
            dataclasses.replace(retest, completed=True, completed_at=T0), []
        )
    else:
        stores.calendar.remove_tasks([retest], [])
    before = stores.calendar.get("user-1", DAY0, retest.task_id)
    day = stores.progress.get("user-1", DAY0)
    assert day is not None
    with pytest.raises(ConcurrentModification):
        stores.assessments.finish(
            an_assessment(status=AssessmentStatus.COMPLETED),
            progress=[a_progress(total=1, completed=1, streak=1, revision=day.revision)],
            retest=dataclasses.replace(retest, completed=True, completed_at=T0),
        )
    assert stores.assessments.get("user-1", "assessment-1") == processing
    assert stores.calendar.get("user-1", DAY0, retest.task_id) == before
    assert stores.progress.get("user-1", DAY0) == day
