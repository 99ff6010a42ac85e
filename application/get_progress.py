"""Read progress over a date range with the current and best streaks (SPEC.md 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from application.list_tasks import MAX_RANGE_DAYS, validate_range
from domain.errors import NotFound
from domain.progress import Progress, current_streak
from domain.user import local_today, require_plan_features
from ports.clock import Clock
from ports.progress import ProgressRepository
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class GetProgressRequest:
    user_id: str
    from_date: date
    to_date: date


@dataclass(frozen=True, slots=True)
class ProgressReport:
    days: Sequence[Progress]
    current_streak: int
    best_streak: int


class GetProgress:
    """The progress items of a range, oldest first, and the user's current and best streak.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - the range ends on or after its start and spans at most 92 dates (VALIDATION_ERROR);
    - the current streak is today's once today counts, else the one standing before today, in
      the user's time zone, whatever the range (decision 031);
    - the best streak is the highest the user ever reached.
    The range and what the current streak needs come from one progress query when today lies
    near the range (decision 118), the best streak from the streak index.
    """

    def __init__(self, users: UserRepository, progress: ProgressRepository, clock: Clock) -> None:
        self._users = users
        self._progress = progress
        self._clock = clock

    def execute(self, request: GetProgressRequest) -> ProgressReport:
        validate_range(request.from_date, request.to_date)
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        today = local_today(user, self._clock.now())
        first, last = request.from_date, request.to_date
        # Today's item and the latest earlier date with tasks are all current_streak looks at.
        if (max(last, today) - min(first, today)).days < 2 * MAX_RANGE_DAYS:
            chain = self._progress.chain(user.user_id, min(first, today), max(last, today))
            days = tuple(item for item in chain.items if first <= item.date <= last)
            recent = [item for item in chain.items if item.date <= today]
        else:  # a range far from today: reading what lies between would cost more than a query
            days = tuple(self._progress.between(user.user_id, first, last))
            chain = self._progress.chain(user.user_id, today, today)
            recent = list(chain.items)
        if chain.before is not None:
            recent.append(chain.before)
        return ProgressReport(
            days=days,
            current_streak=current_streak(recent, today),
            best_streak=self._progress.best_streak(user.user_id),
        )
