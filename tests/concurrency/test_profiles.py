"""RegisterUser, AcceptDisclaimer and RecordLogin raced against themselves and each other:
one registration per id and per email, and no profile write undoes another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from adapters.memory.clock import FixedClock
from application.accept_disclaimer import AcceptDisclaimer, AcceptDisclaimerRequest
from application.record_login import RecordLogin, RecordLoginRequest
from application.register_user import RegisterUser, RegisterUserRequest, Registration
from domain.errors import EmailTaken
from tests.concurrency.setup import no_errors
from tests.integration.racing import all_at_once
from tests.support.factories import T0
from tests.support.stores import Stores

ACCEPTED_AT = T0 + timedelta(minutes=1)
LOGGED_IN_AT = T0 + timedelta(minutes=2)
RENAMED_AT = T0 + timedelta(minutes=3)


def test_the_same_registration_at_once_creates_one_user_and_answers_every_caller(
    stores: Stores, runs: range
) -> None:
    register = RegisterUser(stores.users, FixedClock(T0))

    def race(run: int) -> None:
        request = RegisterUserRequest(f"reg-{run}", f"reg-{run}@example.com")
        outcomes = all_at_once(6, lambda _: register.execute(request))
        assert no_errors(outcomes) == []
        created = [o for o in outcomes if isinstance(o, Registration) and o.created]
        assert len(created) == 1
        limits = stores.limits.get(request.user_id)
        assert limits is not None
        assert limits.revision == 1

    for run in runs:
        race(run)


def test_two_ids_registering_one_email_at_once_leave_one_owner(stores: Stores, runs: range) -> None:
    register = RegisterUser(stores.users, FixedClock(T0))

    def race(run: int) -> None:
        email = f"shared-{run}@example.com"
        ids = [f"id-{run}-a", f"id-{run}-b"]
        outcomes = all_at_once(
            4, lambda n: register.execute(RegisterUserRequest(ids[n % 2], email))
        )
        assert no_errors(outcomes, EmailTaken) == []
        owners = {o.user.user_id for o in outcomes if isinstance(o, Registration)}
        assert len(owners) == 1
        owner = stores.users.get_by_email(email)
        assert owner is not None
        assert {owner.user_id} == owners
        [loser] = set(ids) - owners
        assert stores.users.get(loser) is None
        assert stores.limits.get(loser) is None

    for run in runs:
        race(run)


def test_acceptance_login_and_rename_at_once_all_land(stores: Stores, runs: range) -> None:
    register = RegisterUser(stores.users, FixedClock(T0))
    accept = AcceptDisclaimer(stores.users, FixedClock(ACCEPTED_AT))
    login = RecordLogin(stores.users, FixedClock(LOGGED_IN_AT))
    rename = RegisterUser(stores.users, FixedClock(RENAMED_AT))

    def race(run: int) -> None:
        user_id, email = f"prof-{run}", f"prof-{run}@example.com"
        register.execute(RegisterUserRequest(user_id, email))
        callers: list[Callable[[], object]] = [
            lambda: accept.execute(AcceptDisclaimerRequest(user_id)),
            lambda: login.execute(RecordLoginRequest(user_id)),
            lambda: rename.execute(RegisterUserRequest(user_id, email, name="Ada")),
        ]
        outcomes = all_at_once(6, lambda n: callers[n % 3]())
        assert no_errors(outcomes) == []
        user = stores.users.get(user_id)
        assert user is not None
        assert user.wellness_disclaimer_accepted
        assert user.wellness_disclaimer_accepted_at == ACCEPTED_AT
        assert user.last_login_at == LOGGED_IN_AT
        assert user.name == "Ada"

    for run in runs:
        race(run)
