"""The calendar-tasks table on DynamoDB, written together with the progress of the dates it touches.

Tasks of whole dates are packed into transactions of at most 100 items, dates in order; a task
that exists already (add) or was completed meanwhile (remove) is dropped from the transaction
and the rest sent again (docs/decisions/069-atomic-writes-and-retries.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from adapters.dynamodb import cursors, keys
from adapters.dynamodb.atomic import (
    MAX_TRANSACTION_BYTES,
    MAX_TRANSACTION_ITEMS,
    Condition,
    Write,
    absent,
    check,
    delete,
    exists,
    put,
    set_or_remove,
    update,
    write_atomically,
)
from adapters.dynamodb.attributes import Item, b, get_s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item, query_all
from adapters.dynamodb.fanout import MAX_PARALLEL_QUERIES, Listing, Position, read_page
from adapters.dynamodb.layout import Layout, with_filter
from adapters.dynamodb.mappers.calendar_tasks import (
    completion_attributes,
    task_from_item,
    task_to_item,
)
from domain.calendar import CalendarTask
from domain.errors import ConcurrentModification, DomainError, NotFound
from domain.plan import Plan
from domain.progress import Progress

_Day = tuple[date, str]  # (date, user id): dates in order, as the in-memory adapter writes them
# The cursor's name for a task's place among its user's tasks (`YYYY-MM-DD#task_id`).
SORT_KEY = "task_date_task_id"


def _open_task_position(item: Item) -> Position:
    place = f"{get_s(item, 'task_date')}#{get_s(item, 'task_id')}"
    return (get_s(item, "created_at"), get_s(item, "user_id"), place)


def _owner(item: Item) -> str:
    return get_s(item, "user_id")


_OPEN_TASKS = Listing(index_sort="created_at", position=_open_task_position, unit=_owner)


def _still_open(layout: Layout) -> Condition:
    """A task missing already is fine to "delete", a completed one is kept."""
    return Condition(
        "attribute_not_exists(#sk) OR #completed = :false",
        {"#sk": layout.key_attribute(keys.CALENDAR_TASKS), "#completed": "completed"},
        {":false": b(False)},
    )


def _task_key(layout: Layout, task: CalendarTask) -> Item:
    return layout.task_key(task.user_id, task.task_date, task.task_id)


class DynamoDBCalendarRepository(DynamoDBRepository):
    """A user's daily tasks, by date and by date range, and the cross-user date view."""

    def get(self, user_id: str, task_date: date, task_id: str) -> CalendarTask | None:
        """One task, read consistently, or None."""
        item = get_item(
            self._client,
            self._table(keys.CALENDAR_TASKS),
            self._layout.task_key(user_id, task_date, task_id),
        )
        return task_from_item(item) if item is not None else None

    def on_date(self, user_id: str, task_date: date) -> Sequence[CalendarTask]:
        """The user's tasks of one date, by task id: one consistent Query (the schema's "tasks
        for date")."""
        request = self._of_date(user_id, task_date)
        tasks = [task_from_item(item) for item in query_all(self._client, request)]
        return sorted(tasks, key=lambda task: task.task_id)

    def between(self, user_id: str, first: date, last: date) -> Sequence[CalendarTask]:
        """The user's tasks dated first..last inclusive, by date then task id (one Query)."""
        if last < first:
            return []
        request = self._layout.dated(keys.CALENDAR_TASKS, user_id, first, last)
        tasks = [task_from_item(item) for item in query_all(self._client, request)]
        # A layout may keep a date's tasks in another order (newest date first, decision 125).
        return sorted(tasks, key=lambda task: (task.task_date, task.task_id))

    def add_tasks(
        self,
        tasks: Sequence[CalendarTask],
        progress: Sequence[Progress],
        *,
        while_active: Plan | None = None,
    ) -> None:
        """Create the tasks that do not exist yet and write their dates' progress (guarded).

        Each date's tasks and progress go into one transaction (several dates per transaction,
        up to 100 items). Nothing is read first: callers pass the tasks they found missing, and
        a task that exists anyway fails its "absent" condition and is dropped from the
        transaction, which is sent again without it.
        """
        table = self._table(keys.CALENDAR_TASKS)
        layout = self._layout

        def creates(task: CalendarTask) -> Write:
            # Skipped if another writer created it meanwhile: the same task, by its derived id.
            return put(
                table,
                _task_key(layout, task),
                layout.stored(keys.CALENDAR_TASKS, task_to_item(task)),
                absent(layout.key_attribute(keys.CALENDAR_TASKS)),
                skip_when_condition_fails=True,
            )

        self._write_by_day(tasks, progress, creates, while_active)

    def remove_tasks(
        self,
        tasks: Sequence[CalendarTask],
        progress: Sequence[Progress],
        *,
        while_active: Plan | None = None,
    ) -> None:
        """Delete the tasks still uncompleted and write their dates' progress (guarded)."""
        table = self._table(keys.CALENDAR_TASKS)
        layout = self._layout

        def deletes(task: CalendarTask) -> Write:
            key = _task_key(layout, task)
            return delete(table, key, _still_open(layout), skip_when_condition_fails=True)

        self._write_by_day(tasks, progress, deletes, while_active)

    def set_completed(
        self,
        task: CalendarTask,
        progress: Sequence[Progress],
        *,
        was_completed: bool | None = None,
    ) -> Sequence[Progress]:
        """Update the task's completion (and its sparse open-task index key) and the progress
        items it changes in one transaction, if the task is still stored as `was_completed`
        (ConcurrentModification otherwise; NotFound if it is gone). Returns the progress items
        as stored."""
        was = not task.completed if was_completed is None else was_completed
        layout = self._layout
        # The sparse index key goes or comes back in the same update as `completed`.
        expression, names, values = set_or_remove(
            {
                **completion_attributes(task),
                **layout.index_values(keys.CALENDAR_TASKS, task_to_item(task)),
            }
        )
        change = update(
            self._table(keys.CALENDAR_TASKS),
            _task_key(layout, task),
            expression,
            names,
            values,
            exists(layout.key_attribute(keys.CALENDAR_TASKS)) & _completed_is(was),
            _task_moved,
        )
        write_atomically(self._client, [change, *(self._progress_write(p) for p in progress)])
        return [self._stored_progress(p) for p in progress]

    def users_with_open_tasks(
        self, task_date: date, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[str], str | None]:
        """Ids of users with an uncompleted task on `task_date`, each once across the pages.

        Reads the open-task index on every shard in parallel, in the order the tasks were created;
        a user is listed on the page holding their first open task, and a page ends only where a
        user not yet listed follows, so no page is empty (decision 068).
        """
        cursors.require_limit(limit)
        day = task_date.isoformat()
        after: Position | None = None
        if cursor is not None:
            position = cursors.decode(
                cursor, {"task_date": str, "created_at": str, "user_id": str, SORT_KEY: str}
            )
            cursors.require_same(position, "task_date", day)
            after = (position["created_at"], position["user_id"], position[SORT_KEY])
        listed: list[str] = []
        last_handed: Item | None = None
        read_from = after
        while True:
            since = read_from[0] if read_from else None
            requests = [
                self._layout.open_tasks(task_date, shard, since)
                for shard in range(self._layout.shards)
            ]
            merged = read_page(self._client, requests, _OPEN_TASKS, read_from, limit + 1)
            new = [u for u in dict.fromkeys(_owner(i) for i in merged.items) if u not in listed]
            repeated = self._listed_before(task_date, new, after) if after else set()
            for item in merged.items:
                owner = _owner(item)
                if owner not in repeated and owner not in listed:
                    if len(listed) == limit:
                        # Another user follows: the page ends at the last item handed out.
                        assert last_handed is not None
                        return listed, self._open_cursor(day, last_handed)
                    listed.append(owner)
                last_handed = item
            if merged.last is None:
                return listed, None
            read_from = _open_task_position(merged.last)

    def _open_cursor(self, day: str, item: Item) -> str:
        created_at, user_id, sort_key = _open_task_position(item)
        return cursors.encode(
            {"task_date": day, "created_at": created_at, "user_id": user_id, SORT_KEY: sort_key}
        )

    def _listed_before(self, task_date: date, users: Sequence[str], after: Position) -> set[str]:
        """The users with an open task on the date that sorts at or before `after`.

        Such a user was listed on an earlier page already (their tasks of one date come from
        several scheduling calls). One small Query of the user's date, in parallel.
        """

        def earlier(user_id: str) -> bool:
            request = self._of_date(user_id, task_date)
            request.pop("ConsistentRead")
            with_filter(request, "attribute_exists(#open)", {"#open": self._layout.open_marker()})
            request["ProjectionExpression"] = "#owner, #day, #task, #created"
            request["ExpressionAttributeNames"].update(
                {
                    "#owner": "user_id",
                    "#day": "task_date",
                    "#task": "task_id",
                    "#created": "created_at",
                }
            )
            items = query_all(self._client, request)
            return any(_open_task_position(item) <= after for item in items)

        if not users:
            return set()
        with ThreadPoolExecutor(max_workers=min(len(users), MAX_PARALLEL_QUERIES)) as pool:
            flags = list(pool.map(earlier, users))
        return {user for user, flag in zip(users, flags, strict=True) if flag}

    # --- helpers -------------------------------------------------------------------------------

    def _write_by_day(
        self,
        tasks: Iterable[CalendarTask],
        progress: Iterable[Progress],
        task_write: Callable[[CalendarTask], Write],
        plan: Plan | None,
    ) -> None:
        days: dict[_Day, list[Write]] = defaultdict(list)
        for item in progress:
            days[(item.date, item.user_id)].append(self._progress_write(item))
        for task in tasks:
            days[(task.task_date, task.user_id)].append(task_write(task))
        # Each transaction also checks that the plan the tasks were decided from is active.
        guard = [] if plan is None else [self._plan_active(plan)]
        for transaction in _packed([days[day] for day in sorted(days)], reserve=len(guard)):
            write_atomically(self._client, [*guard, *transaction])

    def _plan_active(self, plan: Plan) -> Write:
        return check(
            self._table(keys.PLANS),
            self._layout.plan_key(plan.user_id, plan.plan_id),
            Condition("#active = :true", {"#active": "is_active"}, {":true": b(True)}),
            _plan_replaced,
        )

    def _of_date(self, user_id: str, task_date: date) -> dict[str, Any]:
        return self._layout.dated(keys.CALENDAR_TASKS, user_id, task_date, task_date)


def _packed(days: Sequence[list[Write]], reserve: int = 0) -> list[list[Write]]:
    """Whole dates in order, packed into transactions of at most 100 items (less `reserve`,
    kept for guards sent with each) and 4 MB."""
    transactions: list[list[Write]] = []
    current: list[Write] = []
    size = 0
    for writes in days:
        day_size = sum(w.size() for w in writes)
        too_many = len(current) + len(writes) > MAX_TRANSACTION_ITEMS - reserve
        too_big = size + day_size > MAX_TRANSACTION_BYTES
        if current and (too_many or too_big):
            transactions.append(current)
            current, size = [], 0
        current = current + writes
        size += day_size
    if current:
        transactions.append(current)
    return transactions


def _completed_is(was: bool) -> Condition:
    """The task is still in the state its progress delta was decided from."""
    return Condition("#completed = :was", {"#completed": "completed"}, {":was": b(was)})


def _plan_replaced(_old: Item | None) -> DomainError:
    return ConcurrentModification("the plan is no longer active")


def _task_moved(old: Item | None) -> DomainError:
    if old is None:
        return NotFound("no such task")
    return ConcurrentModification("the task moved since it was read")
