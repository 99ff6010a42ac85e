"""DELETE /v1/admin/users/{user_id}/ban (SPEC.md 1, decision 013)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.ban_user import BanUser, BanUserRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from application.unban_user import UnbanUser, UnbanUserRequest
from domain.errors import HourlyQuotaExceeded, NotFound
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW


def a_user(stores: Stores, clock: FixedClock) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))


def test_unbanning_lets_the_user_start_again(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    BanUser(stores.limits, clock).execute(
        BanUserRequest("user-1", NOW + timedelta(days=1), "fraud")
    )
    lifted = UnbanUser(stores.limits, clock).execute(UnbanUserRequest("user-1"))
    assert (lifted.ban_until, lifted.ban_reason) == (None, None)
    started = StartAttempt(
        stores.snapshots, stores.limits, stores.assessments, videos, ids, clock
    ).execute(StartAttemptRequest("user-1", 1))
    assert started.assessment.attempt_number == 1


def test_unbanning_forgives_the_strikes(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user(stores, clock)
    start = StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock)
    for test_id in (1, 1, 1, 2, 2):
        start.execute(StartAttemptRequest("user-1", test_id))
    for _ in range(3):
        with pytest.raises(HourlyQuotaExceeded):
            start.execute(StartAttemptRequest("user-1", 3))
    assert UnbanUser(stores.limits, clock).execute(UnbanUserRequest("user-1")).strikes == 0
    limits = stores.limits.get("user-1")
    assert limits is not None
    assert limits.strikes == 0


def test_unbanning_someone_not_banned_writes_nothing(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    before = stores.limits.get("user-1")
    assert UnbanUser(stores.limits, clock).execute(UnbanUserRequest("user-1")) == before
    assert stores.limits.get("user-1") == before


def test_unbanning_an_unknown_user_is_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        UnbanUser(stores.limits, clock).execute(UnbanUserRequest("nobody"))
