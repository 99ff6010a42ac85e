"""Scheduled job: fail attempts stuck in `processing` for over an hour (SPEC.md 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.fail_attempt import FailAttempt, FailAttemptRequest
from domain.assessment import STALE_FEEDBACK, Assessment, is_stale
from domain.errors import InvalidTransition, NotFound
from domain.windows import month_key
from ports.assessments import AssessmentRepository
from ports.clock import Clock
from ports.limits import LimitsRepository
from ports.snapshots import SnapshotReader

_PAGE = 100


@dataclass(frozen=True, slots=True)
class SweepStaleAttemptsRequest:
    """The sweep takes no parameters: "stale" is fixed at over one hour (decision 022)."""


class SweepStaleAttempts:
    """Fails every stale attempt with feedback PROCESSING_TIMEOUT and refunds it.

    Rules enforced:
    - Stale means still `processing` more than one hour after it started (decision 022).
    - The attempts of the current and the previous UTC month are scanned (decision 073).
    - Each one fails exactly like a worker failure (FailAttempt): status and refund in one
      write. One the worker finished meanwhile, or that was erased, is skipped, not counted.
    - Returns how many attempts this run moved to `failed`.
    """

    def __init__(
        self,
        assessments: AssessmentRepository,
        limits: LimitsRepository,
        clock: Clock,
        snapshots: SnapshotReader | None = None,
    ) -> None:
        self._assessments = assessments
        self._clock = clock
        self._fail = FailAttempt(assessments, limits, clock, snapshots)

    def execute(self, request: SweepStaleAttemptsRequest | None = None) -> int:
        now = self._clock.now()
        # Collected first: failing while paging could shift the pages of a live index.
        stale = [a for key in _months_to_scan(now) for a in self._stale_of_month(key, now)]
        swept = 0
        for attempt in stale:
            try:
                self._fail.execute(
                    FailAttemptRequest(attempt.user_id, attempt.assessment_id, STALE_FEEDBACK)
                )
            except (InvalidTransition, NotFound):
                continue
            swept += 1
        return swept

    def _stale_of_month(self, key: str, now: datetime) -> list[Assessment]:
        stale: list[Assessment] = []
        cursor: str | None = None
        while True:
            page = self._assessments.of_month(key, limit=_PAGE, cursor=cursor)
            stale.extend(a for a in page.items if is_stale(a, now))
            if page.next_cursor is None:
                return stale
            cursor = page.next_cursor


def _months_to_scan(now: datetime) -> tuple[str, str]:
    """The current UTC month and the one before it."""
    first_of_month = month_key(now) + "-01"
    before = datetime.fromisoformat(f"{first_of_month}T00:00+00:00") - timedelta(days=1)
    return month_key(before), month_key(now)
