"""The progress table: one item per user and date, and the streak view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, runtime_checkable

from domain.progress import Progress


@runtime_checkable
class ProgressRepository(Protocol):
    """Reads of a user's progress; writes go with the calendar and assessment writes."""

    def get(self, user_id: str, day: date) -> Progress | None:
        """The progress of one date, or None."""
        ...

    def between(self, user_id: str, first: date, last: date) -> Sequence[Progress]:
        """Progress items dated first..last inclusive, oldest first."""
        ...

    def latest_before(self, user_id: str, day: date) -> Progress | None:
        """The latest item dated before `day` that has tasks, or None."""
        ...

    def top_streaks(self, user_id: str, limit: int) -> Sequence[Progress]:
        """The user's days with the highest streaks, highest first (streak-index)."""
        ...

    def best_streak(self, user_id: str) -> int:
        """The highest streak the user ever reached (0 with none)."""
        ...
