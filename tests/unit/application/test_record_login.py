"""POST /v1/me/login."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.record_login import RecordLogin, RecordLoginRequest
from application.register_user import RegisterUser, RegisterUserRequest
from domain.errors import NotFound
from tests.support.stores import Stores


def test_logging_in_records_the_time_of_the_login(stores: Stores, clock: FixedClock) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    login = clock.advance(timedelta(hours=2))
    user = RecordLogin(stores.users, clock).execute(RecordLoginRequest("user-1"))
    assert user.last_login_at == login
    assert user.updated_at == login
    assert stores.users.get("user-1") == user


def test_the_latest_login_wins(stores: Stores, clock: FixedClock) -> None:
    RegisterUser(stores.users, clock).execute(RegisterUserRequest("user-1", "ada@example.com"))
    record = RecordLogin(stores.users, clock)
    record.execute(RecordLoginRequest("user-1"))
    later = clock.advance(timedelta(days=1))
    assert record.execute(RecordLoginRequest("user-1")).last_login_at == later


def test_logging_in_without_a_profile_is_not_found(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        RecordLogin(stores.users, clock).execute(RecordLoginRequest("nobody"))
