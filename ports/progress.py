"""The progress table: one item per user and date, and the streak view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from domain.progress import Progress


@dataclass(frozen=True, slots=True)
class ProgressChain:
    """The items of a date range and the streak they continue (see `ProgressRepository.chain`)."""

    items: Sequence[Progress]
    before: Progress | None


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

    def chain(self, user_id: str, first: date, last: date) -> ProgressChain:
        """`between(first, last)` and `latest_before(first)` together, in one read (decision 118).

        Everything a recount of the streaks from `first` on needs: the items dated first..last
        inclusive, oldest first, and the latest item dated before `first` that has tasks.
        """
        ...

    def top_streaks(self, user_id: str, limit: int) -> Sequence[Progress]:
        """The user's `limit` days with the highest streaks, highest first (streak-index).

        Ties are ordered newer date first; when days tie at the cut-off, which of them make the
        page is the store's choice (decision 117).
        """
        ...

    def best_streak(self, user_id: str) -> int:
        """The highest streak the user ever reached (0 with none)."""
        ...
