"""The apply steps of the DynamoDB data migrations (SPEC.md 9): whole-table passes that only add
what is missing, so that running one again, or after a crash half-way, changes nothing more.

Each step is a function of (client, layout, progress reporter) and returns how many items it
wrote. A step reads its table with a paginated Scan: allowed here, since only the
migration runner calls it, never a request (decision 067). Progress is reported after every page
as (items read, approximate total), the total coming from DescribeTable's ItemCount, which
DynamoDB refreshes about every six hours (docs/decisions/111 and 112).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import (
    Condition,
    Write,
    absent,
    exists,
    put,
    set_or_remove,
    update,
    write_atomically,
)
from adapters.dynamodb.attributes import (
    Item,
    b,
    get_bool,
    get_s,
)
from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.mappers.user_limits import limits_to_item
from application.run_migrations import ReportProgress
from domain.errors import ConcurrentModification, DomainError
from domain.limits import new_limits
from domain.tiers import Tier
from ports.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SCAN_PAGE_SIZE = 200
# Conditional writes of one page in flight at once (the client is thread-safe).
WRITERS = 8
# BatchGetItem reads at most 100 keys per call.
MAX_BATCH_GET_KEYS = 100
MAX_UNPROCESSED_RETRIES = 8
_BASE_DELAY = 0.05
_MAX_DELAY = 2.0

Now = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Skipped(ConcurrentModification):
    """The item changed under the step (written, completed, erased): nothing to do for it."""


def _skipped(_old: Item | None) -> DomainError:
    return _Skipped("the item changed since it was read")


# --- 001: a user-limits row for every user --------------------------------------------------------


def backfill_user_limits(
    client: DynamoDBClient,
    layout: Layout,
    report_progress: ReportProgress,
    *,
    now: Now = _utc_now,
    page_size: int = SCAN_PAGE_SIZE,
) -> int:
    """Create the missing user-limits row of every user, fresh for the user's tier; how many.

    A row is written only while its user exists and no row does (one transaction: a condition
    check on the user, a put under attribute_not_exists), so a live row is never overwritten and
    an erased user gets none back. Only users are read (not email reservations, nor in the single
    layout the other entities of the table).
    """
    users_table = layout.table(keys.USERS)
    progress = _Progress(report_progress, approximate_item_count(client, users_table))
    created = 0

    def create(user_id: str, tier: Tier) -> bool:
        limits = dataclasses.replace(new_limits(user_id, tier, now()), revision=1)
        return _create_limits(client, layout, limits_to_item(limits))

    def is_user(item: Item) -> bool:
        return layout.entity_of(users_table, item) == keys.USERS

    with ThreadPoolExecutor(max_workers=WRITERS) as writers:
        for page in scan_pages(client, users_table, page_size):
            tiers = {get_s(item, "user_id"): _tier_of(item) for item in page if is_user(item)}
            missing = users_without_limits(client, layout, list(tiers))
            created += sum(writers.map(create, missing, [tiers[u] for u in missing]))
            progress.advance(len(page))
    return created


def _tier_of(item: Item) -> Tier:
    return Tier(get_s(item, "tier"))


def users_without_limits(
    client: DynamoDBClient, layout: Layout, user_ids: Sequence[str]
) -> list[str]:
    """The users among `user_ids` that have no user-limits row (BatchGetItem, `user_id` only)."""
    found: set[str] = set()
    limits_table = layout.table(keys.USER_LIMITS)
    for start in range(0, len(user_ids), MAX_BATCH_GET_KEYS):
        chunk = user_ids[start : start + MAX_BATCH_GET_KEYS]
        for item in _batch_get_keys(client, limits_table, [layout.limits_key(u) for u in chunk]):
            found.add(get_s(item, "user_id"))
    return [user_id for user_id in user_ids if user_id not in found]


def _batch_get_keys(
    client: DynamoDBClient, table: str, item_keys: list[dict[str, Any]]
) -> list[Item]:
    items: list[Item] = []
    pending: dict[str, Any] = {
        table: {
            "Keys": item_keys,
            "ProjectionExpression": "#user",
            "ExpressionAttributeNames": {"#user": "user_id"},
        }
    }
    for attempt in range(MAX_UNPROCESSED_RETRIES + 1):
        if attempt:
            delay = min(_MAX_DELAY, _BASE_DELAY * 2**attempt)
            time.sleep(random.uniform(0, delay))  # noqa: S311 - spreading retries only
        with storage_errors():
            response = client.batch_get_item(RequestItems=pending)
        items.extend(response.get("Responses", {}).get(table, []))
        pending = dict(response.get("UnprocessedKeys") or {})
        if not pending:
            return items
    raise StorageUnavailable(f"keys of {table} stayed unprocessed after retries")


def _create_limits(client: DynamoDBClient, layout: Layout, item: Item) -> bool:
    user_id = get_s(item, "user_id")
    user_exists = exists(layout.key_attribute(keys.USERS))
    check = Write(
        "ConditionCheck",
        layout.table(keys.USERS),
        layout.user_key(user_id),
        {
            "ConditionExpression": user_exists.expression,
            "ExpressionAttributeNames": dict(user_exists.names),
        },
        _skipped,
    )
    create = put(
        layout.table(keys.USER_LIMITS),
        layout.limits_key(user_id),
        layout.stored(keys.USER_LIMITS, item),
        absent(layout.key_attribute(keys.USER_LIMITS)),
        _skipped,
    )
    try:
        write_atomically(client, [check, create])
    except _Skipped:
        return False
    return True


# --- 002: the sharded index attributes of decision 050 --------------------------------------------


INDEXED_TABLES = (keys.ASSESSMENTS, keys.PLANS, keys.CALENDAR_TASKS)


def backfill_index_shards(
    client: DynamoDBClient,
    layout: Layout,
    report_progress: ReportProgress,
    *,
    page_size: int = SCAN_PAGE_SIZE,
) -> int:
    """Write the sharded index keys an item lacks or holds for another shard count; how many.

    The test-type and month keys on every assessment, the active key on active plans only and
    the open-task key on uncompleted tasks only (and removed from the others). Each fix is
    conditioned on what it was computed from (the item still exists, is still active, still
    open), so it never undoes a concurrent deactivation or completion.
    """
    tables = list(dict.fromkeys(layout.table(entity) for entity in INDEXED_TABLES))
    counts = [approximate_item_count(client, table) for table in tables]
    progress = _Progress(report_progress, sum(c for c in counts if c) or None)
    fixed = 0
    with ThreadPoolExecutor(max_workers=WRITERS) as writers:
        for table in tables:
            for page in scan_pages(client, table, page_size):
                fixes = []
                for item in page:
                    entity = layout.entity_of(table, item)
                    if entity in INDEXED_TABLES:
                        fixes.append(index_fix(layout, entity, item))
                wanted = [write for write in fixes if write is not None]
                fixed += sum(writers.map(lambda write: _apply_fix(client, write), wanted))
                progress.advance(len(page))
    return fixed


def index_fix(layout: Layout, entity: str, item: Item) -> Write | None:
    """The update that gives `item` the index keys the adapters write now, or None."""
    if entity == keys.ASSESSMENTS:
        guard = exists(layout.key_attribute(entity))
    elif entity == keys.PLANS:
        guard = _still("is_active", get_bool(item, "is_active"))
    elif entity == keys.CALENDAR_TASKS:
        guard = _still("completed", get_bool(item, "completed"))
    else:
        raise ValueError(f"{entity!r} has no sharded index keys")
    expected = layout.index_values(entity, item)
    if all(item.get(name) == value for name, value in expected.items()):
        return None
    expression, names, values = set_or_remove(expected)
    table = layout.table(entity)
    return update(table, layout.key_of(entity, item), expression, names, values, guard, _skipped)


def _still(attribute: str, flag: bool) -> Condition:
    return Condition("#flag = :flag", {"#flag": attribute}, {":flag": b(flag)})


def _apply_fix(client: DynamoDBClient, write: Write) -> bool:
    try:
        write_atomically(client, [write])
    except _Skipped:
        return False
    return True


# --- shared ---------------------------------------------------------------------------------------


def scan_pages(
    client: DynamoDBClient, table: str, page_size: int = SCAN_PAGE_SIZE
) -> Iterator[list[Item]]:
    """The items of a table, page by page, following LastEvaluatedKey."""
    request: dict[str, Any] = {"TableName": table, "Limit": page_size}
    while True:
        with storage_errors():
            response = client.scan(**request)
        yield response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last


def approximate_item_count(client: DynamoDBClient, table: str) -> int | None:
    """DescribeTable's ItemCount (refreshed about every six hours); None when it says 0."""
    with storage_errors():
        count = client.describe_table(TableName=table)["Table"].get("ItemCount", 0)
    return count or None


class _Progress:
    """Items read so far against the approximate total, never reported below what was read."""

    def __init__(self, report: ReportProgress, total: int | None) -> None:
        self._report = report
        self._total = total
        self.done = 0
        report(0, total)

    def advance(self, items: int) -> None:
        self.done += items
        total = None if self._total is None else max(self._total, self.done)
        self._report(self.done, total)
