"""Several of one user's items, from different tables, in one round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from domain.assessment import Assessment
from domain.calendar import CalendarTask
from domain.limits import UserLimits
from domain.progress import Progress
from domain.user import User


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """The parts wanted, all of `user_id`; a part not asked for is not read."""

    user_id: str
    user: bool = False
    limits: bool = False
    assessment_id: str | None = None
    task: tuple[date, str] | None = None  # (task date, task id)
    progress_date: date | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing asked for: answered without reading anything."""
        return not (
            self.user
            or self.limits
            or self.assessment_id is not None
            or self.task is not None
            or self.progress_date is not None
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts found; None for a part not asked for or not stored."""

    user: User | None = None
    limits: UserLimits | None = None
    assessment: Assessment | None = None
    task: CalendarTask | None = None
    progress: Progress | None = None


@runtime_checkable
class SnapshotReader(Protocol):
    """Point reads across the user tables, batched (decision 115)."""

    def read(self, request: SnapshotRequest) -> Snapshot:
        """Every part asked for, each read consistently (as its repository's `get` would return
        it), in one request to the store.

        The parts are not read at one instant: a write landing between two of them may show in
        one and not the other. Callers decide on them and write with the usual guards.
        """
        ...
