"""Read progress over a date range with the current and best streaks (SPEC.md 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.list_tasks import MAX_RANGE_DAYS, validate_range
from domain.errors import NotFound
from domain.progress import Progress, current_streak
from domain.user import local_today, require_plan_features
from ports.clock import Clock
from ports.progress import ProgressRepository
from ports.snapshots import SnapshotReader, SnapshotRequest

_A_DAY = timedelta(days=1)


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
    The profile, the range and what the current streak needs come from one snapshot when today
    lies near the range (one Query where the store keeps a user's days next to the profile,
    decisions 118 and 125), the best streak from the streak index.
    """

    def __init__(
        self, snapshots: SnapshotReader, progress: ProgressRepository, clock: Clock
    ) -> None:
        self._snapshots = snapshots
        self._progress = progress
        self._clock = clock

    def execute(self, request: GetProgressRequest) -> ProgressReport:
        validate_range(request.from_date, request.to_date)
        now = self._clock.now()
        first, last = request.from_date, request.to_date
        # The user's today (unknown until the profile is read) is within a day of UTC's.
        earliest, latest = now.date() - _A_DAY, now.date() + _A_DAY
        near = (max(last, latest) - min(first, earliest)).days < 2 * MAX_RANGE_DAYS
        # Today's item and the latest earlier date with tasks are all current_streak looks at.
        around = (min(first, earliest), max(last, latest)) if near else (earliest, latest)
        seen = self._snapshots.read(
            SnapshotRequest(request.user_id, user=True, progress_chain=around)
        )
        user, chain = seen.user, seen.chain
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        assert chain is not None
        today = local_today(user, now)
        if near:
            days = tuple(item for item in chain.items if first <= item.date <= last)
        else:  # a range far from today: reading what lies between would cost more than a query
            days = tuple(self._progress.between(user.user_id, first, last))
        recent = [item for item in chain.items if item.date <= today]
        if chain.before is not None:
            recent.append(chain.before)
        return ProgressReport(
            days=days,
            current_streak=current_streak(recent, today),
            best_streak=self._progress.best_streak(user.user_id),
        )
