"""GET /v1/me/limits: usage now, with reset times (SPEC.md 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.ids import SequentialIds
from adapters.memory.video_storage import FakeVideoStorage
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.ban_user import BanUser, BanUserRequest
from application.get_limits import GetLimits, GetLimitsRequest
from application.register_user import RegisterUser, RegisterUserRequest
from application.start_attempt import StartAttempt, StartAttemptRequest
from domain.errors import NotFound
from domain.tiers import Tier
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW


def a_user_who_started_test(
    test_id: int, stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))
    StartAttempt(stores.snapshots, stores.limits, stores.assessments, videos, ids, clock).execute(
        StartAttemptRequest("user-1", test_id)
    )


def test_the_usage_shows_what_was_used_and_when_each_window_resets(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user_who_started_test(3, stores, clock, ids, videos)
    usage = GetLimits(stores.limits, clock).execute(GetLimitsRequest("user-1"))
    assert usage.plan is Tier.FREE
    assert (usage.hourly.used, usage.hourly.limit) == (1, 5)
    assert usage.hourly.resets_at == NOW + timedelta(hours=1)
    assert (usage.daily.used, usage.daily.limit) == (1, 9)
    assert (usage.monthly.used, usage.monthly.limit) == (1, 3)
    assert usage.attempts_per_test == {3: 1}
    assert usage.ban_until is None


def test_counters_of_a_window_that_has_passed_read_zero(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user_who_started_test(3, stores, clock, ids, videos)
    clock.advance(timedelta(hours=1))
    usage = GetLimits(stores.limits, clock).execute(GetLimitsRequest("user-1"))
    assert (usage.hourly.used, usage.daily.used, usage.monthly.used) == (0, 1, 1)


def test_a_banned_user_still_reads_their_limits_with_the_ban(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user_who_started_test(3, stores, clock, ids, videos)
    until = NOW + timedelta(hours=5)
    BanUser(stores.limits, clock).execute(BanUserRequest("user-1", until, "chargeback"))
    usage = GetLimits(stores.limits, clock).execute(GetLimitsRequest("user-1"))
    assert (usage.ban_until, usage.ban_reason) == (until, "chargeback")


def test_reading_the_limits_writes_nothing(
    stores: Stores, clock: FixedClock, ids: SequentialIds, videos: FakeVideoStorage
) -> None:
    a_user_who_started_test(3, stores, clock, ids, videos)
    before = stores.limits.get("user-1")
    clock.advance(timedelta(days=40))
    GetLimits(stores.limits, clock).execute(GetLimitsRequest("user-1"))
    assert stores.limits.get("user-1") == before


def test_the_limits_of_an_unknown_user_are_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        GetLimits(stores.limits, clock).execute(GetLimitsRequest("nobody"))
