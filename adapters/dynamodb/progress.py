"""The progress table on DynamoDB and its streak view (streak-index)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item, d, get_int, n, s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item, query_all, query_pages, storage_errors
from adapters.dynamodb.cursors import require_limit
from adapters.dynamodb.mappers.progress import progress_from_item
from domain.progress import Progress

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Items a latest_before reads per page while it skips dates without tasks.
_SCAN_BACK_PAGE = 16


class DynamoDBProgressRepository(DynamoDBRepository):
    """Reads of a user's progress; writes go with the calendar and assessment writes."""

    def get(self, user_id: str, day: date) -> Progress | None:
        """The progress of one date, read consistently (guarded writes follow), or None."""
        item = get_item(self._client, self._table(keys.PROGRESS), keys.progress_key(user_id, day))
        return progress_from_item(item) if item is not None else None

    def between(self, user_id: str, first: date, last: date) -> Sequence[Progress]:
        """Progress items dated first..last inclusive, oldest first (one range Query)."""
        if last < first:
            return []
        request = self._dates(
            user_id, "#date BETWEEN :first AND :last", {":first": d(first), ":last": d(last)}
        )
        return [progress_from_item(item) for item in query_all(self._client, request)]

    def latest_before(self, user_id: str, day: date) -> Progress | None:
        """The latest item dated before `day` that has tasks: newest first, stop at the first."""
        request = self._dates(user_id, "#date < :day", {":day": d(day)})
        request.update(
            ScanIndexForward=False,
            Limit=_SCAN_BACK_PAGE,
            FilterExpression="#total > :zero",
            ExpressionAttributeNames={
                **request["ExpressionAttributeNames"],
                "#total": "tasks_total",
            },
            ExpressionAttributeValues={**request["ExpressionAttributeValues"], ":zero": n(0)},
        )
        for page in query_pages(self._client, request):
            if page:
                return progress_from_item(page[0])
        return None

    def top_streaks(self, user_id: str, limit: int) -> Sequence[Progress]:
        """The user's days with the highest streaks, highest first; ties newer date first.

        streak-index orders by streak only, so the days tied with the last one are read whole
        and ordered by date here.
        """
        require_limit(limit)
        request = self._streaks(user_id)
        request.update(ScanIndexForward=False, Limit=limit)
        top: list[Progress] = []
        more = False
        for page, follows in _pages_with_more(self._client, request):
            top.extend(progress_from_item(item) for item in page)
            more = follows
            if len(top) >= limit:
                break
        if more:
            # Every day above the limit-th streak is read; the days tied with it may not be.
            boundary = sorted((p.streak for p in top), reverse=True)[limit - 1]
            tied = query_all(self._client, self._streaks(user_id, equal_to=boundary))
            top = [p for p in top if p.streak > boundary] + [progress_from_item(i) for i in tied]
        ranked = sorted(top, key=lambda p: (p.streak, p.date), reverse=True)
        return ranked[:limit]

    def best_streak(self, user_id: str) -> int:
        """The highest streak the user ever reached (0 with none): the first of streak-index."""
        request = self._streaks(user_id)
        request.update(ScanIndexForward=False, Limit=1, ProjectionExpression="#streak")
        request["ExpressionAttributeNames"]["#streak"] = "streak"
        with storage_errors():
            response = self._client.query(**request)
        items = response.get("Items", [])
        return get_int(items[0], "streak") if items else 0

    def _dates(self, user_id: str, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "TableName": self._table(keys.PROGRESS),
            "KeyConditionExpression": f"#user = :user AND {condition}",
            "ExpressionAttributeNames": {"#user": "user_id", "#date": "date"},
            "ExpressionAttributeValues": {":user": s(user_id), **values},
            "ConsistentRead": True,
        }

    def _streaks(self, user_id: str, *, equal_to: int | None = None) -> dict[str, Any]:
        expression = "#user = :user"
        names = {"#user": "user_id"}
        values: dict[str, Any] = {":user": s(user_id)}
        if equal_to is not None:
            expression += " AND #streak = :streak"
            names["#streak"] = "streak"
            values[":streak"] = n(equal_to)
        return {
            "TableName": self._table(keys.PROGRESS),
            "IndexName": keys.STREAK_INDEX,
            "KeyConditionExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


def _pages_with_more(
    client: DynamoDBClient, request: dict[str, Any]
) -> Iterator[tuple[list[Item], bool]]:
    """Query pages, each with whether more follow (a LastEvaluatedKey came with it)."""
    kwargs = dict(request)
    while True:
        with storage_errors():
            response = client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        yield list(response.get("Items", [])), bool(last)
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last
