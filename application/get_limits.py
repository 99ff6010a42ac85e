"""GET /v1/me/limits: the caller's quotas, current usage and reset times (SPEC.md 1)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.limits import LimitsUsage, usage
from ports.clock import Clock
from ports.limits import LimitsRepository


@dataclass(frozen=True, slots=True)
class GetLimitsRequest:
    user_id: str


class GetLimits:
    """Shows the stored limits row as seen now.

    Rules enforced:
    - Counters of a window that has passed read zero, and an ended ban reads as none, without
      writing anything (the next start resets them in its own write).
    - No limits row (the user never registered): NOT_FOUND.
    - Reading works while banned.
    """

    def __init__(self, limits: LimitsRepository, clock: Clock) -> None:
        self._limits = limits
        self._clock = clock

    def execute(self, request: GetLimitsRequest) -> LimitsUsage:
        limits = self._limits.get(request.user_id)
        if limits is None:
            raise NotFound("no limits: register with PUT /v1/me")
        return usage(limits, self._clock.now())
