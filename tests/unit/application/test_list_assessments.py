"""GET /v1/me/assessments: newest first, page by page, optionally by test (SPEC.md 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.list_assessments import ListAssessments, ListAssessmentsRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.errors import ValidationFailed
from ports.errors import InvalidCursor
from tests.support.stores import Stores


def started(
    stores: Stores,
    clock: FixedClock,
    ids: SequentialIds,
    videos: FakeVideoStorage,
    user_id: str,
    test_ids: tuple[int, ...],
) -> list[str]:
    RegisterUser(stores.users, clock).execute(
        RegisterUserRequest(user_id, f"{user_id}@example.com")
    )
    AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest(user_id))
    start = StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock)
    made = []
    for test_id in test_ids:
        made.append(start.execute(StartAttemptRequest(user_id, test_id)).assessment.assessment_id)
        clock.advance(timedelta(minutes=1))
    return made


def test_the_callers_attempts_are_listed_newest_first(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    mine = started(stores, clock, ids, videos, "user-1", (1, 2, 3))
    started(stores, clock, ids, videos, "user-2", (1,))
    page = ListAssessments(stores.assessments).execute(ListAssessmentsRequest("user-1"))
    assert [a.assessment_id for a in page.items] == mine[::-1]
    assert page.next_cursor is None


def test_pages_follow_each_other_through_the_cursor(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    mine = started(stores, clock, ids, videos, "user-1", (1, 2, 3))
    listing = ListAssessments(stores.assessments)
    first = listing.execute(ListAssessmentsRequest("user-1", limit=2))
    assert first.next_cursor is not None
    second = listing.execute(ListAssessmentsRequest("user-1", limit=2, cursor=first.next_cursor))
    assert [a.assessment_id for a in [*first.items, *second.items]] == mine[::-1]
    assert second.next_cursor is None


def test_the_list_can_be_narrowed_to_one_test(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    mine = started(stores, clock, ids, videos, "user-1", (1, 2, 1))
    page = ListAssessments(stores.assessments).execute(ListAssessmentsRequest("user-1", test_id=1))
    assert [a.assessment_id for a in page.items] == [mine[2], mine[0]]


@pytest.mark.parametrize("limit", [1, 100])
def test_a_page_holds_one_to_a_hundred_attempts(stores: Stores, limit: int) -> None:
    page = ListAssessments(stores.assessments).execute(ListAssessmentsRequest("u", limit=limit))
    assert list(page.items) == []


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_a_page_size_outside_one_to_a_hundred_is_a_validation_error(
    stores: Stores, limit: int
) -> None:
    with pytest.raises(ValidationFailed):
        ListAssessments(stores.assessments).execute(ListAssessmentsRequest("u", limit=limit))


def test_a_test_outside_the_catalog_is_a_validation_error(stores: Stores) -> None:
    with pytest.raises(ValidationFailed):
        ListAssessments(stores.assessments).execute(ListAssessmentsRequest("u", test_id=16))


def test_a_cursor_not_issued_by_the_listing_is_a_validation_error(stores: Stores) -> None:
    with pytest.raises(InvalidCursor) as refused:
        ListAssessments(stores.assessments).execute(
            ListAssessmentsRequest("u", cursor="not-a-cursor!")
        )
    assert refused.value.code == "VALIDATION_ERROR"


def test_another_users_cursor_does_not_continue_the_callers_list(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    started(stores, clock, ids, videos, "user-2", (1, 2))
    listing = ListAssessments(stores.assessments)
    theirs = listing.execute(ListAssessmentsRequest("user-2", limit=1)).next_cursor
    with pytest.raises(InvalidCursor):
        listing.execute(ListAssessmentsRequest("user-1", cursor=theirs))
