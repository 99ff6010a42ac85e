"""POST /v1/me/disclaimer: accept the wellness disclaimer (SPEC.md 2)."""

from __future__ import annotations

from dataclasses import dataclass

from application.retry import retry_on_conflict
from domain.errors import NotFound
from domain.user import User, accept_disclaimer
from ports.clock import Clock
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class AcceptDisclaimerRequest:
    user_id: str


class AcceptDisclaimer:
    """Records the acceptance of the wellness disclaimer.

    Rules enforced:
    - No profile: NOT_FOUND.
    - The time of the first acceptance is kept; accepting again changes and writes nothing.
    """

    def __init__(self, users: UserRepository, clock: Clock) -> None:
        self._users = users
        self._clock = clock

    def execute(self, request: AcceptDisclaimerRequest) -> User:
        return retry_on_conflict(lambda: self._accept(request))

    def _accept(self, request: AcceptDisclaimerRequest) -> User:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("no profile: register with PUT /v1/me")
        accepted = accept_disclaimer(user, self._clock.now())
        if accepted is not user:
            # Conditioned on "not accepted yet": of two concurrent acceptances the first stays.
            self._users.update_profile(accepted, read=user)
        return accepted
