"""Several of one user's items of different entities: one BatchGetItem (decision 115), or one
Query of the user's item collection where the layout keeps the parts together (decisions 124,
125)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item, get_s, s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.batches import batch_get
from adapters.dynamodb.calls import query_all, query_pages
from adapters.dynamodb.layout import with_filter
from adapters.dynamodb.mappers.assessments import assessment_from_item
from adapters.dynamodb.mappers.calendar_tasks import task_from_item
from adapters.dynamodb.mappers.plans import plan_from_item
from adapters.dynamodb.mappers.progress import progress_from_item
from adapters.dynamodb.mappers.user_limits import limits_from_item
from adapters.dynamodb.mappers.users import user_from_item
from adapters.dynamodb.progress import ChainReader, DynamoDBProgressRepository
from domain.assessment import AssessmentStatus, previous_completed
from domain.time import iso
from ports.progress import ProgressChain
from ports.snapshots import Snapshot, SnapshotRequest

# The previous completed attempt of a test: a first page of this many, then twice as many.
_EARLIER_PAGE = 10
_EARLIER_MAX_PAGE = 1000
# A progress chain read with the profile: the first page holds the profile and this many dates
# at most (a schedule ahead, the range, and a week before it), each further page twice as many.
_DAYS_PAGE_DATES = 21
_DAYS_PAGE_SLACK = 7
_DAYS_MAX_PAGE = 1000


class DynamoDBSnapshotReader(DynamoDBRepository):
    """Point reads across a user's entities, with the user's attempts and plans when asked."""

    def read(self, request: SnapshotRequest) -> Snapshot:
        """Every part asked for, each read consistently; nothing is sent when nothing is asked."""
        if request.is_empty:
            return Snapshot()
        owner = request.user_id
        layout = self._layout
        wanted: dict[str, Item] = {}
        if request.user:
            wanted[keys.USERS] = layout.user_key(owner)
        if request.limits:
            wanted[keys.USER_LIMITS] = layout.limits_key(owner)
        if request.assessment_id is not None:
            wanted[keys.ASSESSMENTS] = layout.assessment_key(owner, request.assessment_id)
        if request.task is not None:
            wanted[keys.CALENDAR_TASKS] = layout.task_key(owner, *request.task)
        if request.progress_date is not None:
            wanted[keys.PROGRESS] = layout.progress_key(owner, request.progress_date)
        collections = set()
        if request.completed_since is not None or (
            request.previous_completed and request.assessment_id is not None
        ):
            collections.add(keys.ASSESSMENTS)
        if request.plans:
            collections.add(keys.PLANS)
        if request.progress_chain is not None and not collections:
            together = self._with_days(request, wanted)
            if together is not None:
                return together
        span = layout.user_span(owner, {*wanted, *collections}) if collections else None
        if span is not None:
            found = self._classified(span["TableName"], query_all(self._client, span))
            points = {
                entity: next((i for i in found.get(entity, []) if _has_key(i, key)), None)
                for entity, key in wanted.items()
            }
            attempts, plans = found.get(keys.ASSESSMENTS, []), found.get(keys.PLANS, [])
            chain = self._chain(request)
            return _snapshot(request, points, attempts, plans, attempts, chain)
        points, attempts, plans, chain = self._apart(request, wanted)
        earlier = self._earlier(request, points)
        return _snapshot(request, points, attempts, plans, earlier, chain)

    def _with_days(self, request: SnapshotRequest, wanted: dict[str, Item]) -> Snapshot | None:
        """The profile, a task and a progress chain from one Query where the layout keeps a
        user's days next to the profile, newest first (decision 125); None where it does not,
        or when a part asked for lies outside that Query."""
        assert request.progress_chain is not None
        first, last = request.progress_chain
        if not set(wanted) <= {keys.USERS, keys.CALENDAR_TASKS}:
            return None
        if request.task is not None and request.task[0] < first:
            return None
        layout = self._layout
        span = layout.user_days(request.user_id)
        if span is None:
            return None
        dates = min((last - first).days + 1, _DAYS_PAGE_DATES) + _DAYS_PAGE_SLACK
        span["Limit"] = 1 + dates * layout.items_per_date
        points: dict[str, Item | None] = dict.fromkeys(wanted)
        reader = ChainReader(first, last)
        # Profile first, then the days newest first: read until the chain needs nothing older.
        for page in query_pages(self._client, span, grow_to=_DAYS_MAX_PAGE):
            for item in page:
                entity = layout.entity_of(span["TableName"], item)
                if entity == keys.PROGRESS:
                    reader.took_all([progress_from_item(item)])
                elif entity in wanted and _has_key(item, wanted[entity]):
                    points[entity] = item
            if reader.complete:
                break
        return _snapshot(request, points, [], [], [], reader.chain())

    def _chain(self, request: SnapshotRequest) -> ProgressChain | None:
        if request.progress_chain is None:
            return None
        progress = DynamoDBProgressRepository(self._client, self._layout)
        return progress.chain(request.user_id, *request.progress_chain)

    def _earlier(self, request: SnapshotRequest, points: dict[str, Item | None]) -> list[Item]:
        """The completed attempts of the asked attempt's test started at or before it, newest
        first, read until one started strictly before it (one Query, a page or two)."""
        attempt = points.get(keys.ASSESSMENTS)
        if not request.previous_completed or attempt is None:
            return []
        started = get_s(attempt, "created_at")
        query = with_filter(
            self._layout.assessments_by_time(request.user_id, None, started),
            "#status = :completed AND #test = :test",
            {"#status": "status", "#test": "test_id"},
            {":completed": s(AssessmentStatus.COMPLETED.value), ":test": attempt["test_id"]},
        )
        query.update(ScanIndexForward=False, Limit=_EARLIER_PAGE)
        read: list[Item] = []
        for page in query_pages(self._client, query, grow_to=_EARLIER_MAX_PAGE):
            read.extend(page)
            if any(get_s(item, "created_at") < started for item in page):
                break
        return read

    def _apart(
        self, request: SnapshotRequest, wanted: dict[str, Item]
    ) -> tuple[dict[str, Item | None], list[Item], list[Item], ProgressChain | None]:
        """One BatchGetItem of the point parts, one Query per collection part and one for the
        progress chain, in parallel."""
        reads: dict[str, Callable[[], Any]] = {}
        if request.progress_chain is not None:
            reads["chain"] = lambda: self._chain(request)
        if wanted:
            reads["points"] = lambda: self._points(wanted)
        if request.completed_since is not None:
            since = iso(request.completed_since)
            attempts = with_filter(
                self._layout.assessments_since(request.user_id, since),
                "#status = :completed",
                {"#status": "status"},
                {":completed": s(AssessmentStatus.COMPLETED.value)},
            )
            reads["attempts"] = lambda: query_all(self._client, attempts)
        if request.plans:
            of_user = self._layout.of_user(keys.PLANS, request.user_id)
            reads["plans"] = lambda: query_all(self._client, of_user)
        with ThreadPoolExecutor(max_workers=len(reads)) as pool:
            futures = {name: pool.submit(read) for name, read in reads.items()}
            results = {name: future.result() for name, future in futures.items()}
        return (
            results.get("points", {}),
            results.get("attempts", []),
            results.get("plans", []),
            results.get("chain"),
        )

    def _points(self, wanted: dict[str, Item]) -> dict[str, Item | None]:
        by_table: dict[str, list[Item]] = {}
        for entity, key in wanted.items():
            by_table.setdefault(self._table(entity), []).append(key)
        found = batch_get(self._client, by_table)
        # One key per entity, so an item of an entity asked for is the item asked of it.
        points: dict[str, Item | None] = dict.fromkeys(wanted)
        for table, items in found.items():
            for entity, of_entity in self._classified(table, items).items():
                if entity in points and of_entity:
                    points[entity] = of_entity[0]
        return points

    def _classified(self, table: str, items: list[Item]) -> dict[str, list[Item]]:
        by_entity: dict[str, list[Item]] = {}
        for item in items:
            kind = self._layout.entity_of(table, item)
            if kind is not None:
                by_entity.setdefault(kind, []).append(item)
        return by_entity


def _has_key(item: Item, key: Item) -> bool:
    return all(item.get(name) == value for name, value in key.items())


def _snapshot(
    request: SnapshotRequest,
    points: dict[str, Item | None],
    attempts: list[Item],
    plans: list[Item],
    earlier: list[Item],
    chain: ProgressChain | None = None,
) -> Snapshot:
    user = points.get(keys.USERS)
    limits = points.get(keys.USER_LIMITS)
    assessment = points.get(keys.ASSESSMENTS)
    task = points.get(keys.CALENDAR_TASKS)
    progress = points.get(keys.PROGRESS)
    completed = []
    if request.completed_since is not None:
        since = iso(request.completed_since)
        completed = [
            assessment_from_item(item)
            for item in attempts
            if get_s(item, "status") == AssessmentStatus.COMPLETED.value
            and get_s(item, "created_at") >= since
        ]
    attempt = None if assessment is None else assessment_from_item(assessment)
    previous = None
    if request.previous_completed and attempt is not None:
        previous = previous_completed(attempt, [assessment_from_item(i) for i in earlier])
    return Snapshot(
        user=None if user is None else user_from_item(user),
        limits=None if limits is None else limits_from_item(limits),
        assessment=attempt,
        task=None if task is None else task_from_item(task),
        progress=None if progress is None else progress_from_item(progress),
        completed=tuple(
            sorted(completed, key=lambda a: (iso(a.created_at), a.assessment_id), reverse=True)
        ),
        plans=tuple(
            sorted((plan_from_item(i) for i in plans), key=lambda p: (p.version, p.plan_id))
        ),
        previous=previous,
        chain=chain,
    )
