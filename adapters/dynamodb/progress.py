"""A user's progress on DynamoDB and its streak view (the layout's streak index)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import get_int, n
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item, query_all, query_pages, storage_errors
from adapters.dynamodb.cursors import require_limit
from adapters.dynamodb.layout import Layout, Request, with_filter
from adapters.dynamodb.mappers.progress import progress_from_item
from domain.progress import Progress
from ports.progress import ProgressChain

# Items a latest_before reads per page while it skips dates without tasks.
_SCAN_BACK_PAGE = 16
# A chain's first page holds the range's dates (at most one item each, up to this many) and a
# few earlier ones; each further page reads twice as many, up to the cap.
_CHAIN_RANGE_PAGE = 56
_CHAIN_SLACK = 8
_CHAIN_MAX_PAGE = 1000


class DynamoDBProgressRepository(DynamoDBRepository):
    """Reads of a user's progress; writes go with the calendar and assessment writes."""

    def get(self, user_id: str, day: date) -> Progress | None:
        """The progress of one date, read consistently (guarded writes follow), or None."""
        key = self._layout.progress_key(user_id, day)
        item = get_item(self._client, self._table(keys.PROGRESS), key)
        return progress_from_item(item) if item is not None else None

    def between(self, user_id: str, first: date, last: date) -> Sequence[Progress]:
        """Progress items dated first..last inclusive, oldest first (one range Query)."""
        if last < first:
            return []
        request = self._layout.dated(keys.PROGRESS, user_id, first, last)
        return [progress_from_item(item) for item in query_all(self._client, request)]

    def latest_before(self, user_id: str, day: date) -> Progress | None:
        """The latest item dated before `day` that has tasks: newest first, stop at the first."""
        layout = self._layout
        before = day - timedelta(days=1)
        request = layout.dated(keys.PROGRESS, user_id, None, before, newest_first=True)
        request["Limit"] = _SCAN_BACK_PAGE * layout.items_per_date
        with_filter(request, "#total > :zero", {"#total": "tasks_total"}, {":zero": n(0)})
        for page in query_pages(self._client, request):
            if page:
                return progress_from_item(page[0])
        return None

    def chain(self, user_id: str, first: date, last: date) -> ProgressChain:
        """The items dated first..last and the latest earlier item with tasks: one consistent
        Query backward from `last` that stops at that earlier item (decision 118).

        Pages are sized to the range (one item per date at most), so a range of a few weeks is
        one request; dates without tasks before `first` are read and skipped.
        """
        if last < first:
            return ProgressChain([], self.latest_before(user_id, first))
        chain = ChainReader(first, last)
        request = chain_request(self._layout, user_id, first, last)
        for page in query_pages(self._client, request, grow_to=_CHAIN_MAX_PAGE):
            if chain.took_all(progress_from_item(item) for item in page):
                break
        return chain.chain()

    def top_streaks(self, user_id: str, limit: int) -> Sequence[Progress]:
        """The user's days with the highest streaks, highest first; ties newer date first.

        One Query of the streak index, highest first, `limit` items. The index orders by streak
        only, so when days tie at the cut-off the index picks which of them are read
        (decision 117); those read are ordered by streak, then newer date first.
        """
        require_limit(limit)
        request = self._layout.streaks(user_id)
        request.update(ScanIndexForward=False, Limit=limit)
        top: list[Progress] = []
        for page in query_pages(self._client, request):
            top.extend(progress_from_item(item) for item in page)
            if len(top) >= limit:
                break
        ranked = sorted(top, key=lambda p: (p.streak, p.date), reverse=True)
        return ranked[:limit]

    def best_streak(self, user_id: str) -> int:
        """The highest streak the user ever reached (0 with none): the first of the streak index."""
        request = self._layout.streaks(user_id)
        request.update(ScanIndexForward=False, Limit=1, ProjectionExpression="#streak")
        request["ExpressionAttributeNames"]["#streak"] = "streak"
        with storage_errors():
            response = self._client.query(**request)
        items = response.get("Items", [])
        return get_int(items[0], "streak") if items else 0


def chain_request(layout: Layout, user_id: str, first: date, last: date) -> Request:
    """The consistent Query of a chain: the user's progress newest first from `last`, its first
    page sized to the range's dates and a few earlier ones (each further page twice as large)."""
    request = layout.dated(keys.PROGRESS, user_id, None, last, newest_first=True)
    span = (last - first).days + 1
    request["Limit"] = (min(span, _CHAIN_RANGE_PAGE) + _CHAIN_SLACK) * layout.items_per_date
    return request


class ChainReader:
    """Builds a `ProgressChain` from progress items read newest date first."""

    def __init__(self, first: date, last: date | None = None) -> None:
        self._first = first
        self._last = last
        self._newest_first: list[Progress] = []
        self._before: Progress | None = None
        self.complete = False

    def took_all(self, newest_first: Iterable[Progress]) -> bool:
        """Take items in the order read; True once the chain needs nothing older."""
        for progress in newest_first:
            if self.complete:
                break
            if self._last is not None and progress.date > self._last:
                continue
            if progress.date >= self._first:
                self._newest_first.append(progress)
            elif progress.has_tasks:
                self._before = progress
                self.complete = True
        return self.complete

    def chain(self) -> ProgressChain:
        """The items dated first..last oldest first, and the latest earlier one with tasks."""
        return ProgressChain(self._newest_first[::-1], self._before)
