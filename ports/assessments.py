"""The assessments table, and the atomic writes that tie an attempt to its quota."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from domain.assessment import Assessment
from domain.calendar import CalendarTask
from domain.limits import UserLimits
from domain.progress import Progress
from ports.pagination import Page


@runtime_checkable
class AssessmentRepository(Protocol):
    """A user's attempts, and the cross-user month and test-type views."""

    def start(self, assessment: Assessment, limits: UserLimits) -> UserLimits:
        """Create the attempt and write the moved quota counters, all or nothing.

        The limits write is guarded by `limits.revision`; raises ConcurrentModification when
        another start won the race (the caller re-reads and decides again).
        """
        ...

    def finish(
        self,
        assessment: Assessment,
        refund: UserLimits | None = None,
        progress: Sequence[Progress] = (),
        retest: CalendarTask | None = None,
    ) -> None:
        """Store a terminal assessment, only if the stored one is still `processing`.

        In the same atomic write: the refunded limits row (revision-guarded), the progress items
        that change (a test improvement, the counts and streaks a completed retest moves; each
        guarded by its revision), and the retest task it completes (`retest`, as it is to be
        stored: written only while the stored task is still open). Raises InvalidTransition
        when the attempt already left `processing`, ConcurrentModification when a guard failed
        (a progress item moved, the retest task was completed or removed meanwhile).
        """
        ...

    def get(self, user_id: str, assessment_id: str) -> Assessment | None:
        """One attempt of the user, or None."""
        ...

    def list_for_user(
        self, user_id: str, *, test_id: int | None, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        """The user's attempts newest first, optionally of one test, page by page.

        Ties on `created_at` go by assessment id, descending; a page reads about `limit` items,
        not the user's whole history (created-index, decision 081).
        """
        ...

    def completed_since(self, user_id: str, since: datetime) -> Sequence[Assessment]:
        """Every `completed` attempt of the user created at or after `since`, newest first."""
        ...

    def of_month(self, month_key: str, *, limit: int, cursor: str | None) -> Page[Assessment]:
        """All users' attempts of a month (month-index), page by page."""
        ...

    def of_test(
        self, test_id: int, *, since: datetime, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        """All users' attempts of one test created at or after `since` (test-type-index)."""
        ...
