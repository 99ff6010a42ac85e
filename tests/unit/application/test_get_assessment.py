"""GET /v1/me/assessments/{assessment_id}."""

from __future__ import annotations

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.get_assessment import GetAssessment, GetAssessmentRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.errors import NotFound
from tests.support.stores import Stores


def an_attempt_of_user_1(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> str:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))
    start = StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock)
    return start.execute(StartAttemptRequest("user-1", 8)).assessment.assessment_id


def test_the_caller_reads_their_attempt(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id = an_attempt_of_user_1(stores, clock, ids, videos)
    attempt = GetAssessment(stores.assessments).execute(GetAssessmentRequest("user-1", attempt_id))
    assert (attempt.assessment_id, attempt.test_id) == (attempt_id, 8)


def test_an_unknown_attempt_is_not_found(stores: Stores) -> None:
    with pytest.raises(NotFound):
        GetAssessment(stores.assessments).execute(GetAssessmentRequest("user-1", "nope"))


def test_another_users_attempt_is_not_found(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    attempt_id = an_attempt_of_user_1(stores, clock, ids, videos)
    with pytest.raises(NotFound):
        GetAssessment(stores.assessments).execute(GetAssessmentRequest("user-2", attempt_id))
