"""DELETE /v1/admin/users/{user_id}/ban: an admin lifts a ban (SPEC.md 1)."""

from __future__ import annotations

from dataclasses import dataclass

from application.retry import retry_on_conflict
from domain.errors import NotFound
from domain.limits import UserLimits, unban
from ports.clock import Clock
from ports.limits import LimitsRepository


@dataclass(frozen=True, slots=True)
class UnbanUserRequest:
    user_id: str


class UnbanUser:
    """Lifts any ban and forgives the abuse strikes.

    Rules enforced:
    - The strikes go with the ban, so the next refusal does not ban again at once (013).
    - Nothing to lift: nothing is written (unbanning is idempotent).
    - Unknown user: NOT_FOUND.
    - The limits row is written revision-guarded, re-read and re-decided on a conflict.
    """

    def __init__(self, limits: LimitsRepository, clock: Clock) -> None:
        self._limits = limits
        self._clock = clock

    def execute(self, request: UnbanUserRequest) -> UserLimits:
        return retry_on_conflict(lambda: self._unban(request))

    def _unban(self, request: UnbanUserRequest) -> UserLimits:
        limits = self._limits.get(request.user_id)
        if limits is None:
            raise NotFound("no such user")
        lifted = unban(limits, self._clock.now())
        return limits if lifted is limits else self._limits.save(lifted)
