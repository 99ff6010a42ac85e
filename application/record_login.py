"""POST /v1/me/login: record when the caller logged in (SPEC.md 2)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.user import User, record_login
from ports.clock import Clock
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class RecordLoginRequest:
    user_id: str


class RecordLogin:
    """Sets `last_login_at` (and `updated_at`) to now.

    Rules enforced:
    - No profile: NOT_FOUND.
    - Only profile fields are written: never the email or the tier.
    """

    def __init__(self, users: UserRepository, clock: Clock) -> None:
        self._users = users
        self._clock = clock

    def execute(self, request: RecordLoginRequest) -> User:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("no profile: register with PUT /v1/me")
        logged_in = record_login(user, self._clock.now())
        self._users.update_profile(logged_in)
        return logged_in
