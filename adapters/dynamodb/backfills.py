"""The apply steps of the DynamoDB data migrations (SPEC.md 9): whole-table passes that only add
what is missing, so that running one again, or after a crash half-way, changes nothing more.

Each step is a function of (client, table names, shard count, progress reporter) and returns how
many items it wrote. A step reads its table with a paginated Scan: allowed here, since only the
migration runner calls it, never a request (decision 067). Progress is reported after every page
as (items read, approximate total), the total coming from DescribeTable's ItemCount, which
DynamoDB refreshes about every six hours (docs/decisions/111 and 112).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    AttributeValue,
    Item,
    b,
    get_bool,
    get_date,
    get_int,
    get_s,
    s,
)
from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.mappers.user_limits import limits_to_item
from adapters.dynamodb.mappers.users import is_user_item
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
    table_names: Mapping[str, str],
    shards: int,
    report_progress: ReportProgress,
    *,
    now: Now = _utc_now,
    page_size: int = SCAN_PAGE_SIZE,
) -> int:
    """Create the missing user-limits row of every user, fresh for the user's tier; how many.

    A row is written only while its user exists and no row does (one transaction: a condition
    check on the user, a put under attribute_not_exists), so a live row is never overwritten and
    an erased user gets none back. Email reservations in the users table are not users.
    """
    users_table = table_names[keys.USERS]
    limits_table = table_names[keys.USER_LIMITS]
    progress = _Progress(report_progress, approximate_item_count(client, users_table))
    created = 0

    def create(user_id: str, tier: Tier) -> bool:
        limits = dataclasses.replace(new_limits(user_id, tier, now()), revision=1)
        return _create_limits(client, users_table, limits_table, limits_to_item(limits))

    with ThreadPoolExecutor(max_workers=WRITERS) as writers:
        for page in scan_pages(client, users_table, page_size):
            tiers = {get_s(item, "user_id"): _tier_of(item) for item in page if is_user_item(item)}
            missing = users_without_limits(client, limits_table, list(tiers))
            created += sum(writers.map(create, missing, [tiers[u] for u in missing]))
            progress.advance(len(page))
    return created


def _tier_of(item: Item) -> Tier:
    return Tier(get_s(item, "tier"))


def users_without_limits(
    client: DynamoDBClient, limits_table: str, user_ids: Sequence[str]
) -> list[str]:
    """The users among `user_ids` that have no user-limits row (BatchGetItem, keys only)."""
    found: set[str] = set()
    for start in range(0, len(user_ids), MAX_BATCH_GET_KEYS):
        chunk = user_ids[start : start + MAX_BATCH_GET_KEYS]
        for item in _batch_get_keys(client, limits_table, [keys.limits_key(u) for u in chunk]):
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


def _create_limits(client: DynamoDBClient, users_table: str, limits_table: str, item: Item) -> bool:
    user_id = get_s(item, "user_id")
    user_exists = exists("user_id")
    check = Write(
        "ConditionCheck",
        users_table,
        keys.user_key(user_id),
        {
            "ConditionExpression": user_exists.expression,
            "ExpressionAttributeNames": dict(user_exists.names),
        },
        _skipped,
    )
    create = put(limits_table, keys.limits_key(user_id), item, absent("user_id"), _skipped)
    try:
        write_atomically(client, [check, create])
    except _Skipped:
        return False
    return True


# --- 002: the sharded index attributes of decision 050 --------------------------------------------


INDEXED_TABLES = (keys.ASSESSMENTS, keys.PLANS, keys.CALENDAR_TASKS)


def backfill_index_shards(
    client: DynamoDBClient,
    table_names: Mapping[str, str],
    shards: int,
    report_progress: ReportProgress,
    *,
    page_size: int = SCAN_PAGE_SIZE,
) -> int:
    """Write the sharded index attributes an item lacks or holds for another shard count; how many.

    `test_shard`/`month_shard` on every assessment, `active_shard` on active plans only and
    `date_shard` on uncompleted tasks only (and removed from the others). Each fix is
    conditioned on what it was computed from (the item still exists, is still active, still
    open), so it never undoes a concurrent deactivation or completion.
    """
    tables = [table_names[logical] for logical in INDEXED_TABLES]
    counts = [approximate_item_count(client, table) for table in tables]
    progress = _Progress(report_progress, sum(c for c in counts if c) or None)
    fixed = 0
    with ThreadPoolExecutor(max_workers=WRITERS) as writers:
        for logical, table in zip(INDEXED_TABLES, tables, strict=True):
            for page in scan_pages(client, table, page_size):
                fixes = [index_fix(logical, table, item, shards) for item in page]
                wanted = [write for write in fixes if write is not None]
                fixed += sum(writers.map(lambda write: _apply_fix(client, write), wanted))
                progress.advance(len(page))
    return fixed


def index_fix(logical: str, table: str, item: Item, shards: int) -> Write | None:
    """The update that gives `item` the index attributes the adapters write now, or None."""
    shard = keys.shard_of(get_s(item, "user_id"), shards)
    if logical == keys.ASSESSMENTS:
        expected: dict[str, AttributeValue | None] = {
            keys.TEST_SHARD: s(keys.test_shard_value(get_int(item, "test_id"), shard)),
            keys.MONTH_SHARD: s(keys.month_shard_value(get_s(item, "month_key"), shard)),
        }
        key = keys.assessment_key(get_s(item, "user_id"), get_s(item, "assessment_id"))
        guard = exists("user_id")
    elif logical == keys.PLANS:
        active = get_bool(item, "is_active")
        value = s(keys.active_shard_value(shard)) if active else None
        expected = {keys.ACTIVE_SHARD: value}
        key = keys.plan_key(get_s(item, "user_id"), get_s(item, "plan_id"))
        guard = _still("is_active", active)
    elif logical == keys.CALENDAR_TASKS:
        completed = get_bool(item, "completed")
        open_shard = s(keys.date_shard_value(get_date(item, "task_date"), shard))
        expected = {keys.DATE_SHARD: None if completed else open_shard}
        key = {"user_id": item["user_id"], "task_date_task_id": item["task_date_task_id"]}
        guard = _still("completed", completed)
    else:
        raise ValueError(f"{logical!r} has no sharded index attributes")
    if all(item.get(name) == value for name, value in expected.items()):
        return None
    expression, names, values = set_or_remove(expected)
    return update(table, key, expression, names, values, guard, _skipped)


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
