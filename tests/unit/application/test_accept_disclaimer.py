"""POST /v1/me/disclaimer: accepted once, the first time is kept (SPEC.md 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.register_user import RegisterUser, RegisterUserRequest
from domain.errors import NotFound
from tests.support.stores import Stores


def test_accepting_records_the_time_of_acceptance(stores: Stores, clock: FixedClock) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    accepted_at = clock.advance(timedelta(minutes=1))
    user = AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("user-1"))
    assert user.wellness_disclaimer_accepted
    assert user.wellness_disclaimer_accepted_at == accepted_at
    assert stores.users.get("user-1") == user


def test_accepting_again_keeps_the_first_time(stores: Stores, clock: FixedClock) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    accept = AcceptDisclaimer(stores.users, clock)
    first = accept.execute(AcceptDisclaimerRequest("user-1"))
    clock.advance(timedelta(days=3))
    again = accept.execute(AcceptDisclaimerRequest("user-1"))
    assert again == first
    assert stores.users.get("user-1") == first


def test_accepting_without_a_profile_is_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        AcceptDisclaimer(stores.users, clock).execute(AcceptDisclaimerRequest("nobody"))
