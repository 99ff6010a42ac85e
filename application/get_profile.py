"""GET /v1/me: the caller's profile."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.user import User
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class GetProfileRequest:
    user_id: str


class GetProfile:
    """Reads the caller's profile.

    Rules enforced:
    - Only the caller's own profile is read (the user id comes from the token).
    - No profile: NOT_FOUND (the client registers with PUT /v1/me first).
    """

    def __init__(self, users: UserRepository) -> None:
        self._users = users

    def execute(self, request: GetProfileRequest) -> User:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("no profile: register with PUT /v1/me")
        return user
