"""PUT /v1/admin/users/{user_id}/ban (SPEC.md 1, decision 013)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.ban_user import BanUser, BanUserRequest
from application.register_user import RegisterUser, RegisterUserRequest
from domain.errors import ConcurrentModification, NotFound, ValidationFailed
from domain.limits import UserLimits
from ports.limits import LimitsRepository
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW


def a_user(stores: Stores, clock: FixedClock) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))


def test_a_ban_is_stored_with_its_end_and_reason(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    until = NOW + timedelta(days=7)
    banned = BanUser(stores.limits, clock).execute(BanUserRequest("user-1", until, " fraud "))
    assert (banned.ban_until, banned.ban_reason) == (until, "fraud")
    assert stores.limits.get("user-1") == banned


def test_a_new_ban_replaces_the_one_in_force(stores: Stores, clock: FixedClock) -> None:
    a_user(stores, clock)
    ban = BanUser(stores.limits, clock)
    ban.execute(BanUserRequest("user-1", NOW + timedelta(days=7), "fraud"))
    shorter = NOW + timedelta(hours=1)
    assert ban.execute(BanUserRequest("user-1", shorter, "appeal")).ban_until == shorter


@pytest.mark.parametrize("ends_in", [timedelta(0), timedelta(seconds=-1)])
def test_a_ban_must_end_after_now(stores: Stores, clock: FixedClock, ends_in: timedelta) -> None:
    a_user(stores, clock)
    with pytest.raises(ValidationFailed):
        BanUser(stores.limits, clock).execute(BanUserRequest("user-1", NOW + ends_in, "fraud"))
    limits = stores.limits.get("user-1")
    assert limits is not None
    assert limits.ban_until is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_ban_needs_a_reason_of_one_to_two_hundred_characters(
    stores: Stores, clock: FixedClock, reason: str
) -> None:
    a_user(stores, clock)
    with pytest.raises(ValidationFailed):
        BanUser(stores.limits, clock).execute(
            BanUserRequest("user-1", NOW + timedelta(days=1), reason)
        )


def test_banning_an_unknown_user_is_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        BanUser(stores.limits, clock).execute(
            BanUserRequest("nobody", NOW + timedelta(days=1), "fraud")
        )


class ConflictsOnce:
    """Limits whose first write loses to a concurrent writer."""

    def __init__(self, inner: LimitsRepository) -> None:
        self._inner = inner
        self.saves = 0

    def get(self, user_id: str) -> UserLimits | None:
        return self._inner.get(user_id)

    def save(self, limits: UserLimits) -> UserLimits:
        self.saves += 1
        if self.saves == 1:
            raise ConcurrentModification("a concurrent start won")
        return self._inner.save(limits)


def test_a_ban_that_loses_a_race_is_written_on_a_fresh_read(
    stores: Stores, clock: FixedClock
) -> None:
    a_user(stores, clock)
    racing = ConflictsOnce(stores.limits)
    until = NOW + timedelta(days=1)
    banned = BanUser(racing, clock).execute(BanUserRequest("user-1", until, "fraud"))
    assert racing.saves == 2
    assert stores.limits.get("user-1") == banned
