"""Several of one user's items, from different tables, in as few round trips as the store
allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from domain.assessment import Assessment
from domain.calendar import CalendarTask
from domain.limits import UserLimits
from domain.plan import Plan
from domain.progress import Progress
from domain.user import User
from ports.progress import ProgressChain


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """The parts wanted, all of `user_id`; a part not asked for is not read."""

    user_id: str
    user: bool = False
    limits: bool = False
    assessment_id: str | None = None
    task: tuple[date, str] | None = None  # (task date, task id)
    progress_date: date | None = None
    completed_since: datetime | None = None  # the completed attempts created at or after it
    plans: bool = False  # every plan of the user
    # With assessment_id: the latest completed attempt of the same test created before it.
    previous_completed: bool = False
    # (first, last): the progress items dated first..last and the latest earlier one with
    # tasks, as ProgressRepository.chain reads them (decision 125).
    progress_chain: tuple[date, date] | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing asked for: answered without reading anything."""
        return not (
            self.user
            or self.limits
            or self.assessment_id is not None
            or self.task is not None
            or self.progress_date is not None
            or self.completed_since is not None
            or self.plans
            or self.progress_chain is not None
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts found; None for a part not asked for or not stored."""

    user: User | None = None
    limits: UserLimits | None = None
    assessment: Assessment | None = None
    task: CalendarTask | None = None
    progress: Progress | None = None
    completed: tuple[Assessment, ...] = ()  # newest first, as AssessmentRepository gives them
    plans: tuple[Plan, ...] = ()  # oldest version first
    previous: Assessment | None = None  # the previous completed attempt of the test
    chain: ProgressChain | None = None  # when progress_chain was asked


@runtime_checkable
class SnapshotReader(Protocol):
    """Point reads across the user tables, batched (decision 115), and a user's attempts, plans
    or progress chain read with them where the store keeps them together (decisions 124, 125)."""

    def read(self, request: SnapshotRequest) -> Snapshot:
        """Every part asked for, each read consistently (as its repository's `get`,
        `completed_since` or `list_for_user` would return it): the point parts in one request,
        the collection parts in that same request where the store keeps them in one item
        collection with the point parts, else one more request each.

        The parts are not read at one instant: a write landing between two of them may show in
        one and not the other. Callers decide on them and write with the usual guards.
        """
        ...
