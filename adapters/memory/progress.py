"""The progress table and its streak view, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from adapters.memory.database import InMemoryDatabase, require_limit
from domain.progress import Progress
from ports.progress import ProgressChain


class InMemoryProgressRepository:
    """Reads of a user's progress; writes go with the calendar and assessment writes."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def get(self, user_id: str, day: date) -> Progress | None:
        """The progress of one date, or None."""
        with self._db.lock:
            return self._db.progress.get((user_id, day.isoformat()))

    def between(self, user_id: str, first: date, last: date) -> Sequence[Progress]:
        """Progress items dated first..last inclusive, oldest first."""
        return [p for p in self._all_of(user_id) if first <= p.date <= last]

    def latest_before(self, user_id: str, day: date) -> Progress | None:
        """The latest item dated before `day` that has tasks, or None."""
        earlier = [p for p in self._all_of(user_id) if p.date < day and p.has_tasks]
        return earlier[-1] if earlier else None

    def chain(self, user_id: str, first: date, last: date) -> ProgressChain:
        """The items dated first..last and the latest earlier item with tasks, in one read."""
        return chain_of(self._all_of(user_id), first, last)

    def top_streaks(self, user_id: str, limit: int) -> Sequence[Progress]:
        """The user's days with the highest streaks, highest first (ties: newer date first)."""
        require_limit(limit)
        ranked = sorted(self._all_of(user_id), key=lambda p: (p.streak, p.date), reverse=True)
        return ranked[:limit]

    def best_streak(self, user_id: str) -> int:
        """The highest streak the user ever reached (0 with none)."""
        return max((p.streak for p in self._all_of(user_id)), default=0)

    def _all_of(self, user_id: str) -> list[Progress]:
        with self._db.lock:
            mine = [p for (owner, _), p in self._db.progress.items() if owner == user_id]
        return sorted(mine, key=lambda p: p.date)


def chain_of(days: Sequence[Progress], first: date, last: date) -> ProgressChain:
    """From one user's items sorted by date: those dated first..last and the latest earlier
    one with tasks (shared with the snapshot reader)."""
    earlier = [p for p in days if p.date < first and p.has_tasks]
    within = [p for p in days if first <= p.date <= last]
    return ProgressChain(within, earlier[-1] if earlier else None)
