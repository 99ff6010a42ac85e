"""GET /v1/me."""

from __future__ import annotations

import pytest

from adapters.memory.clock import FixedClock
from application.get_profile import GetProfile, GetProfileRequest
from application.register_user import RegisterUser, RegisterUserRequest
from domain.errors import NotFound
from tests.support.stores import Stores


def test_the_profile_is_the_stored_user(stores: Stores, clock: FixedClock) -> None:
    registered = RegisterUser(stores.users, clock).execute(
        RegisterUserRequest("user-1", "ada@example.com", "Ada", "Europe/Paris")
    )
    profile = GetProfile(stores.users).execute(GetProfileRequest("user-1"))
    assert profile == registered.user
    assert profile.timezone == "Europe/Paris"


def test_a_caller_without_a_profile_is_not_found(stores: Stores) -> None:
    with pytest.raises(NotFound):
        GetProfile(stores.users).execute(GetProfileRequest("nobody"))
