"""PUT /v1/admin/users/{user_id}/ban: an admin bans a user until a time (SPEC.md 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.retry import retry_on_conflict
from domain.errors import NotFound
from domain.limits import UserLimits, ban
from ports.clock import Clock
from ports.limits import LimitsRepository


@dataclass(frozen=True, slots=True)
class BanUserRequest:
    user_id: str
    until: datetime
    reason: str


class BanUser:
    """Bans a user from starting assessments until `until`.

    Rules enforced:
    - The end must be timezone-aware and after now; the reason has 1..200 characters
      (VALIDATION_ERROR). A new ban replaces any ban in force (decision 013).
    - Unknown user: NOT_FOUND.
    - The limits row is written revision-guarded, re-read and re-decided on a conflict.
    """

    def __init__(self, limits: LimitsRepository, clock: Clock) -> None:
        self._limits = limits
        self._clock = clock

    def execute(self, request: BanUserRequest) -> UserLimits:
        return retry_on_conflict(lambda: self._ban(request))

    def _ban(self, request: BanUserRequest) -> UserLimits:
        limits = self._limits.get(request.user_id)
        if limits is None:
            raise NotFound("no such user")
        return self._limits.save(ban(limits, request.until, request.reason, self._clock.now()))
