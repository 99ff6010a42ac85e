"""The assessments table on DynamoDB: attempts written with their quota; cross-user views."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from adapters.dynamodb import cursors, keys
from adapters.dynamodb.atomic import Condition, Write, absent, put, write_atomically
from adapters.dynamodb.attributes import Item, get_s, n, s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item, query_all, query_pages
from adapters.dynamodb.fanout import Listing, Position, read_page
from adapters.dynamodb.layout import with_filter
from adapters.dynamodb.mappers.assessments import assessment_from_item, assessment_to_item
from domain.assessment import Assessment, AssessmentStatus
from domain.errors import ConcurrentModification, DomainError, InvalidTransition, NotFound
from domain.limits import UserLimits
from domain.progress import Progress
from domain.time import iso
from ports.pagination import Page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# A filtered listing doubles its reads per request up to this many items (1 MB caps it anyway).
MAX_READ_AHEAD = 1000
_CROSS_USER_CURSOR: dict[str, type] = {"created_at": str, "user_id": str, "assessment_id": str}


def _by_time(item: Item) -> Position:
    return (get_s(item, "created_at"), get_s(item, "user_id"), get_s(item, "assessment_id"))


def _one_attempt(item: Item) -> str:
    return f"{get_s(item, 'user_id')}#{get_s(item, 'assessment_id')}"


_CROSS_USER = Listing(index_sort="created_at", position=_by_time, unit=_one_attempt)


class DynamoDBAssessmentRepository(DynamoDBRepository):
    """A user's attempts, and the cross-user month and test-type views (sharded indexes, 050)."""

    def start(self, assessment: Assessment, limits: UserLimits) -> UserLimits:
        """Put the attempt (new id) and the moved limits (revision-guarded) in one transaction."""
        if limits.user_id != assessment.user_id:
            raise ValueError("the limits row belongs to another user")
        limits_write, stored = self._limits_write(limits)
        attempt = put(
            self._table(keys.ASSESSMENTS),
            self._layout.assessment_key(assessment.user_id, assessment.assessment_id),
            self._layout.stored(keys.ASSESSMENTS, assessment_to_item(assessment)),
            absent(self._layout.key_attribute(keys.ASSESSMENTS)),
            _id_taken,
        )
        write_atomically(self._client, [attempt, limits_write])
        return stored

    def finish(
        self,
        assessment: Assessment,
        refund: UserLimits | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Put the terminal attempt only while the stored one is `processing`, with the refund
        and the progress item (both revision-guarded) in the same transaction."""
        if not assessment.status.is_terminal:
            raise ValueError("finish stores a terminal assessment")
        still_processing = Condition(
            "#status = :processing",
            {"#status": "status"},
            {":processing": s(AssessmentStatus.PROCESSING.value)},
        )
        writes: list[Write] = [
            put(
                self._table(keys.ASSESSMENTS),
                self._layout.assessment_key(assessment.user_id, assessment.assessment_id),
                self._layout.stored(keys.ASSESSMENTS, assessment_to_item(assessment)),
                still_processing,
                lambda old: _not_processing(old, assessment.status),
            )
        ]
        if refund is not None:
            writes.append(self._limits_write(refund)[0])
        if progress is not None:
            writes.append(self._progress_write(progress))
        write_atomically(self._client, writes)

    def get(self, user_id: str, assessment_id: str) -> Assessment | None:
        """One attempt of the user, read consistently, or None."""
        item = get_item(
            self._client,
            self._table(keys.ASSESSMENTS),
            self._layout.assessment_key(user_id, assessment_id),
        )
        return assessment_from_item(item) if item is not None else None

    def list_for_user(
        self, user_id: str, *, test_id: int | None, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        """The user's attempts newest first (ties: id descending), page by page.

        One backward Query of the user's attempts by time from the cursor's time, `Limit`
        `limit + 1`: a page reads about one page of attempts, not the user's history. One test's
        attempts are a filter (the other tests' attempts are read and dropped, so a filtered
        page may take a few requests). The cursor is the position of the last attempt handed
        out: the index's own key (decision 081).
        """
        cursors.require_limit(limit)
        after: Position | None = None
        if cursor is not None:
            position = cursors.decode(
                cursor, {"user_id": str, "created_at": str, "assessment_id": str}
            )
            cursors.require_same(position, "user_id", user_id)
            after = (position["created_at"], position["assessment_id"])
        request = self._newest_first(user_id, until=after[0] if after else None)
        if test_id is not None:
            with_filter(request, "#test = :test", {"#test": "test_id"}, {":test": n(test_id)})
        read = sorted(_read_newest(self._client, request, after, limit), key=_key, reverse=True)
        page = read[:limit]
        next_cursor = None
        if len(read) > limit:
            created_at, assessment_id = _key(page[-1])
            next_cursor = cursors.encode(
                {"user_id": user_id, "created_at": created_at, "assessment_id": assessment_id}
            )
        return Page([assessment_from_item(item) for item in page], next_cursor)

    def completed_since(self, user_id: str, since: datetime) -> Sequence[Assessment]:
        """Every `completed` attempt of the user created at or after `since`, newest first.

        One consistent Query of the user's attempts since `since` (the layout picks the index),
        filtered on status.
        """
        request = with_filter(
            self._layout.assessments_since(user_id, iso(since)),
            "#status = :completed",
            {"#status": "status"},
            {":completed": s(AssessmentStatus.COMPLETED.value)},
        )
        found = sorted(query_all(self._client, request), key=_key, reverse=True)
        return [assessment_from_item(item) for item in found]

    def of_month(self, month_key: str, *, limit: int, cursor: str | None) -> Page[Assessment]:
        """All users' attempts of a month, oldest first (then user, id): month index shards."""
        cursors.require_limit(limit)
        after = None
        if cursor is not None:
            position = cursors.decode(cursor, _CROSS_USER_CURSOR | {"month_key": str})
            cursors.require_same(position, "month_key", month_key)
            after = (position["created_at"], position["user_id"], position["assessment_id"])
        since = after[0] if after else None
        requests = [
            self._layout.by_month(month_key, shard, since) for shard in range(self._layout.shards)
        ]
        merged = read_page(self._client, requests, _CROSS_USER, after, limit)
        next_cursor = None
        if merged.last is not None:
            next_cursor = cursors.encode({"month_key": month_key, **_position(merged.last)})
        return Page([assessment_from_item(i) for i in merged.items], next_cursor)

    def of_test(
        self, test_id: int, *, since: datetime, limit: int, cursor: str | None
    ) -> Page[Assessment]:
        """All users' attempts of a test since `since`, oldest first: test-type index shards."""
        cursors.require_limit(limit)
        after = None
        start = iso(since)
        if cursor is not None:
            position = cursors.decode(cursor, _CROSS_USER_CURSOR | {"test_id": int})
            cursors.require_same(position, "test_id", test_id)
            after = (position["created_at"], position["user_id"], position["assessment_id"])
            start = max(start, after[0])
        requests = [
            self._layout.by_test(test_id, shard, start) for shard in range(self._layout.shards)
        ]
        merged = read_page(self._client, requests, _CROSS_USER, after, limit)
        next_cursor = None
        if merged.last is not None:
            next_cursor = cursors.encode({"test_id": test_id, **_position(merged.last)})
        return Page([assessment_from_item(i) for i in merged.items], next_cursor)

    def _newest_first(self, user_id: str, *, until: str | None = None) -> dict[str, Any]:
        """A backward Query of the user's attempts by time (consistent where the index allows)."""
        request = self._layout.assessments_by_time(user_id, None, until)
        request["ScanIndexForward"] = False
        return request


def _key(item: Item) -> Position:
    """An attempt's place in a user's listing: created_at, then id."""
    return (get_s(item, "created_at"), get_s(item, "assessment_id"))


def _read_newest(
    client: DynamoDBClient, request: dict[str, Any], after: Position | None, limit: int
) -> list[Item]:
    """The attempts after `after` (newest first), read until the page and "more?" are certain.

    The index orders equal `created_at` values in no promised way, so a page is certain once
    `limit` attempts are strictly newer than the last one read: nothing unread can come before
    them, and the last one read follows the page. Each further request reads twice as many.
    """
    # A resumed listing re-reads the cursor's own attempt (`created_at <= cursor`): one more.
    first = {**request, "Limit": limit + (2 if after else 1)}
    kept: list[Item] = []
    for page in query_pages(client, first, grow_to=MAX_READ_AHEAD):
        kept.extend(i for i in page if after is None or _key(i) < after)
        if kept:
            oldest = get_s(kept[-1], "created_at")
            if sum(1 for i in kept if get_s(i, "created_at") > oldest) >= limit:
                break
    return kept


def _position(item: Item) -> dict[str, str | int]:
    created_at, user_id, assessment_id = _by_time(item)
    return {"created_at": created_at, "user_id": user_id, "assessment_id": assessment_id}


def _id_taken(_old: Item | None) -> DomainError:
    return ConcurrentModification("an attempt with this id exists already")


def _not_processing(old: Item | None, target: AssessmentStatus) -> DomainError:
    if old is None:
        return NotFound("no such assessment")
    return InvalidTransition(f"assessment is {get_s(old, 'status')}; it cannot become {target}")
