"""POST /v1/me/login: record when the caller logged in (SPEC.md 2)."""

from __future__ import annotations

from dataclasses import dataclass

from application.retry import retry_on_conflict
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
    - Only profile fields are written: never the email or the tier; only the login time,
      while still stored as read (a concurrent change re-reads and writes again).
    """

    def __init__(self, users: UserRepository, clock: Clock) -> None:
        self._users = users
        self._clock = clock

    def execute(self, request: RecordLoginRequest) -> User:
        return retry_on_conflict(lambda: self._record(request))

    def _record(self, request: RecordLoginRequest) -> User:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("no profile: register with PUT /v1/me")
        logged_in = record_login(user, self._clock.now())
        self._users.update_profile(logged_in, read=user)
        return logged_in
