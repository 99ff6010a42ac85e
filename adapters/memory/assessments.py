"""The assessments table with its month and test-type views, in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from adapters.memory.database import (
    InMemoryDatabase,
    Transaction,
    as_stored,
    decode_cursor,
    encode_cursor,
    next_revision,
    page_of,
    require_limit,
    require_revision,
    require_same,
)
from domain.assessment import Assessment, AssessmentStatus
from domain.calendar import CalendarTask
from domain.errors import ConcurrentModification, InvalidTransition, NotFound
from domain.limits import UserLimits
from domain.progress import Progress
from domain.time import iso
from ports.pagination import Page


def _newest_first(a: Assessment) -> tuple[str, ...]:
    return (iso(a.created_at), a.assessment_id)


def _by_time(a: Assessment) -> tuple[str, ...]:
    return (iso(a.created_at), a.user_id, a.assessment_id)


class InMemoryAssessmentRepository:
    """A user's attempts, and the cross-user month and test-type views."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def start(self, assessment: Assessment, limits: UserLimits) -> UserLimits:
        """Create the attempt and write the moved quota counters, all or nothing."""
        if limits.user_id != assessment.user_id:
            raise ValueError("the limits row belongs to another user")
        db = self._db
        key = (assessment.user_id, assessment.assessment_id)
        tx = db.transaction()
        tx.require(
            lambda: key not in db.assessments,
            lambda: ConcurrentModification("an attempt with this id exists already"),
        )
        require_revision(tx, db.limits, limits.user_id, limits)
        stored = as_stored(next_revision(limits))
        tx.put(db.assessments, key, as_stored(assessment))
        tx.put(db.limits, limits.user_id, stored)
        tx.commit()
        return stored

    def finish(
        self,
        assessment: Assessment,
        refund: UserLimits | None = None,
        progress: Sequence[Progress] = (),
        retest: CalendarTask | None = None,
    ) -> None:
        """Store a terminal assessment, only if the stored one is still `processing`, with the
        refund, the progress items and the completed retest task, all or nothing."""
        if not assessment.status.is_terminal:
            raise ValueError("finish stores a terminal assessment")
        db = self._db
        key = (assessment.user_id, assessment.assessment_id)
        tx = db.transaction()
        tx.require(lambda: key in db.assessments, lambda: NotFound("no such assessment"))
        tx.require(
            lambda: db.assessments[key].status == AssessmentStatus.PROCESSING,
            lambda: InvalidTransition(
                f"assessment is {db.assessments[key].status}; it cannot become {assessment.status}"
            ),
        )
        tx.put(db.assessments, key, as_stored(assessment))
        if refund is not None:
            require_revision(tx, db.limits, refund.user_id, refund)
            tx.put(db.limits, refund.user_id, as_stored(next_revision(refund)))
        for item in progress:
            progress_key = (item.user_id, item.date.isoformat())
            require_revision(tx, db.progress, progress_key, item)
            tx.put(db.progress, progress_key, as_stored(next_revision(item)))
        if retest is not None:
            self._complete_retest(tx, retest)
        tx.commit()

    def _complete_retest(self, tx: Transaction, retest: CalendarTask) -> None:
        db = self._db
        task_key = (retest.user_id, retest.sort_key)

        def still_open() -> bool:
            stored = db.calendar_tasks.get(task_key)
            return stored is not None and not stored.completed

        tx.require(
            still_open,
            lambda: ConcurrentModification("the retest task moved since it was read"),
        )
        completed_at = as_stored(retest).completed_at
        tx.update(
            db.calendar_tasks,
            task_key,
            lambda stored: dataclasses.replace(
                stored, completed=retest.completed, completed_at=completed_at
            ),
        )

    def get(self, user_id: str, assessment_id: str) -> Assessment | None:
        """One attempt of the user, or None."""
        with self._db.lock:
            return self._db.assessments.get((user_id, assessment_id))

    def list_for_user(
        self, user_id: str, *, test_id: int | None, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        """The user's attempts newest first (ties: assessment id descending), page by page."""
        require_limit(limit)
        after = None
        if cursor is not None:
            key = decode_cursor(cursor, {"user_id": str, "created_at": str, "assessment_id": str})
            require_same(key, "user_id", user_id)
            after = (key["created_at"], key["assessment_id"])
        with self._db.lock:
            mine = [
                a
                for (owner, _), a in self._db.assessments.items()
                if owner == user_id and (test_id is None or a.test_id == test_id)
            ]
        mine.sort(key=_newest_first, reverse=True)
        items, last = page_of(mine, _newest_first, after, limit, descending=True)
        next_cursor = None
        if last is not None:
            next_cursor = encode_cursor(
                {
                    "user_id": user_id,
                    "created_at": iso(last.created_at),
                    "assessment_id": last.assessment_id,
                }
            )
        return Page(items, next_cursor)

    def completed_since(self, user_id: str, since: datetime) -> Sequence[Assessment]:
        """Every `completed` attempt of the user created at or after `since`, newest first."""
        start = iso(since)
        with self._db.lock:
            found = [
                a
                for (owner, _), a in self._db.assessments.items()
                if owner == user_id
                and a.status == AssessmentStatus.COMPLETED
                and iso(a.created_at) >= start
            ]
        return sorted(found, key=_newest_first, reverse=True)

    def of_month(self, month_key: str, *, limit: int, cursor: str | None) -> Page[Assessment]:
        """All users' attempts of a month, oldest first (then by user and id), page by page."""
        require_limit(limit)
        after = None
        if cursor is not None:
            key = decode_cursor(cursor, _CROSS_USER_CURSOR | {"month_key": str})
            require_same(key, "month_key", month_key)
            after = (key["created_at"], key["user_id"], key["assessment_id"])
        with self._db.lock:
            found = [a for a in self._db.assessments.values() if a.month_key == month_key]
        found.sort(key=_by_time)
        items, last = page_of(found, _by_time, after, limit)
        next_cursor = None
        if last is not None:
            next_cursor = encode_cursor({"month_key": month_key, **_cross_user_key(last)})
        return Page(items, next_cursor)

    def of_test(
        self, test_id: int, *, since: datetime, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        """All users' attempts of one test created at or after `since`, oldest first."""
        require_limit(limit)
        after = None
        if cursor is not None:
            key = decode_cursor(cursor, _CROSS_USER_CURSOR | {"test_id": int})
            require_same(key, "test_id", test_id)
            after = (key["created_at"], key["user_id"], key["assessment_id"])
        start = iso(since)
        with self._db.lock:
            found = [
                a
                for a in self._db.assessments.values()
                if a.test_id == test_id and iso(a.created_at) >= start
            ]
        found.sort(key=_by_time)
        items, last = page_of(found, _by_time, after, limit)
        next_cursor = None
        if last is not None:
            next_cursor = encode_cursor({"test_id": test_id, **_cross_user_key(last)})
        return Page(items, next_cursor)


_CROSS_USER_CURSOR: dict[str, type] = {"created_at": str, "user_id": str, "assessment_id": str}


def _cross_user_key(last: Assessment) -> dict[str, str | int]:
    return {
        "created_at": iso(last.created_at),
        "user_id": last.user_id,
        "assessment_id": last.assessment_id,
    }
