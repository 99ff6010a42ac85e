"""PUT /v1/me: registration, its idempotence and the email rules (SPEC.md 2, decision 070)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from application.register_user import RegisterUser, RegisterUserRequest
from domain.errors import AlreadyRegistered, EmailTaken, InvalidEmail, ValidationFailed
from domain.limits import UserLimits, new_limits
from domain.tiers import Tier
from domain.user import User, register
from ports.users import UserRepository
from tests.support.stores import Stores


def a_request(
    user_id: str = "user-1",
    email: str = "ada@example.com",
    name: str | None = None,
    timezone: str | None = None,
) -> RegisterUserRequest:
    return RegisterUserRequest(user_id=user_id, email=email, name=name, timezone=timezone)


class WritesAfterAConcurrentRegistration:
    """A user store where a concurrent registration lands just before the first write."""

    def __init__(self, inner: UserRepository, concurrent: User, limits: UserLimits) -> None:
        self._inner = inner
        self._concurrent = concurrent
        self._limits = limits
        self._raced = False

    def get(self, user_id: str) -> User | None:
        return self._inner.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        return self._inner.get_by_email(email)

    def add(self, user: User, limits: UserLimits) -> None:
        if not self._raced:
            self._raced = True
            self._inner.add(self._concurrent, self._limits)
        self._inner.add(user, limits)

    def update_profile(self, user: User, read: User | None = None) -> None:
        self._inner.update_profile(user, read)

    def change_tier(self, user: User, limits: UserLimits) -> UserLimits:
        return self._inner.change_tier(user, limits)


def test_registering_creates_a_free_user_who_has_not_accepted_the_disclaimer(
    stores: Stores, clock: FixedClock
) -> None:
    registration = RegisterUser(stores.users, clock).execute(a_request(name="Ada"))
    assert registration.created
    assert registration.user.tier is Tier.FREE
    assert not registration.user.wellness_disclaimer_accepted
    assert registration.user.timezone == "UTC"
    assert stores.users.get("user-1") == registration.user


def test_registering_creates_the_limits_row_of_the_free_tier(
    stores: Stores, clock: FixedClock
) -> None:
    RegisterUser(stores.users, clock).execute(a_request())
    limits = stores.limits.get("user-1")
    assert limits is not None
    assert (limits.plan, limits.video_quota_hour, limits.video_quota_day) == (Tier.FREE, 5, 9)
    assert limits.test_quota_month == 3
    assert limits.video_quota_used_daily == 0


def test_the_email_is_stored_trimmed_and_lower_cased(stores: Stores, clock: FixedClock) -> None:
    registration = RegisterUser(stores.users, clock).execute(a_request(email="  Ada@Example.COM "))
    assert registration.user.email == "ada@example.com"


def test_an_invalid_email_is_refused_and_nothing_is_stored(
    stores: Stores, clock: FixedClock
) -> None:
    with pytest.raises(InvalidEmail):
        RegisterUser(stores.users, clock).execute(a_request(email="ada@example"))
    assert stores.users.get("user-1") is None
    assert stores.limits.get("user-1") is None


def test_an_unknown_timezone_is_a_validation_error(stores: Stores, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed):
        RegisterUser(stores.users, clock).execute(a_request(timezone="Mars/Olympus"))
    assert stores.users.get("user-1") is None


def test_registering_again_with_the_same_email_returns_the_stored_profile(
    stores: Stores, clock: FixedClock
) -> None:
    register = RegisterUser(stores.users, clock)
    first = register.execute(a_request(name="Ada"))
    clock.advance(timedelta(minutes=5))
    again = register.execute(a_request(email="ADA@example.com "))
    assert not again.created
    assert again.user == first.user
    limits = stores.limits.get("user-1")
    assert limits is not None
    assert limits.revision == 1


def test_a_repeat_applies_a_new_timezone_and_keeps_an_omitted_name(
    stores: Stores, clock: FixedClock
) -> None:
    register = RegisterUser(stores.users, clock)
    register.execute(a_request(name="Ada"))
    later = clock.advance(timedelta(days=1))
    again = register.execute(a_request(timezone="Europe/Paris"))
    assert not again.created
    assert (again.user.name, again.user.timezone) == ("Ada", "Europe/Paris")
    assert again.user.updated_at == later
    assert stores.users.get("user-1") == again.user


def test_a_repeat_with_a_blank_name_clears_the_name(stores: Stores, clock: FixedClock) -> None:
    register = RegisterUser(stores.users, clock)
    register.execute(a_request(name="Ada"))
    assert register.execute(a_request(name="  ")).user.name is None


def test_another_email_for_a_registered_caller_is_already_registered(
    stores: Stores, clock: FixedClock
) -> None:
    register = RegisterUser(stores.users, clock)
    register.execute(a_request())
    with pytest.raises(AlreadyRegistered):
        register.execute(a_request(email="grace@example.com"))
    user = stores.users.get("user-1")
    assert user is not None
    assert user.email == "ada@example.com"


def test_an_email_registered_by_someone_else_is_taken(stores: Stores, clock: FixedClock) -> None:
    register = RegisterUser(stores.users, clock)
    register.execute(a_request(user_id="user-1"))
    with pytest.raises(EmailTaken):
        register.execute(a_request(user_id="user-2", email="Ada@example.com"))
    assert stores.users.get("user-2") is None
    assert stores.limits.get("user-2") is None


def test_losing_the_race_to_register_the_same_caller_answers_as_a_repeat(
    stores: Stores, clock: FixedClock
) -> None:
    concurrent = register("user-1", "ada@example.com", None, None, clock.now())
    racing = WritesAfterAConcurrentRegistration(
        stores.users, concurrent, new_limits("user-1", Tier.FREE, clock.now())
    )
    registration = RegisterUser(racing, clock).execute(a_request())
    assert not registration.created
    assert registration.user == stores.users.get("user-1")


def test_losing_the_race_with_another_email_is_already_registered(
    stores: Stores, clock: FixedClock
) -> None:
    concurrent = register("user-1", "grace@example.com", None, None, clock.now())
    racing = WritesAfterAConcurrentRegistration(
        stores.users, concurrent, new_limits("user-1", Tier.FREE, clock.now())
    )
    with pytest.raises(AlreadyRegistered):
        RegisterUser(racing, clock).execute(a_request())
