"""BatchWriteItem in chunks of 25 and BatchGetItem in chunks of 100, resending what DynamoDB
hands back unprocessed with jittered exponential backoff.

A batch is not atomic: writes are batched only where each item stands alone (erasure), never
for an invariant spanning items (docs/decisions/069-atomic-writes-and-retries.md); reads are
batched where each item is decided on by itself (decision 115).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from adapters.dynamodb.attributes import Item
from adapters.dynamodb.calls import storage_errors
from ports.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_BATCH_ITEMS = 25
MAX_BATCH_KEYS = 100
MAX_UNPROCESSED_RETRIES = 8
_BASE_DELAY = 0.05
_MAX_DELAY = 2.0


def put_request(item: Item) -> dict[str, Any]:
    return {"PutRequest": {"Item": item}}


def delete_request(key: Item) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": key}}


Request = tuple[str, dict[str, Any]]  # (table name, PutRequest or DeleteRequest)


def chunks(requests: Sequence[Request]) -> list[list[Request]]:
    """The requests in groups of at most 25, DynamoDB's BatchWriteItem limit."""
    return [
        list(requests[start : start + MAX_BATCH_ITEMS])
        for start in range(0, len(requests), MAX_BATCH_ITEMS)
    ]


def _backoff(attempt: int, sleep: Callable[[float], None]) -> None:
    if attempt:
        # Full jitter: callers throttled together do not come back together.
        delay = min(_MAX_DELAY, _BASE_DELAY * 2**attempt)
        sleep(random.uniform(0, delay))  # noqa: S311 - spreading retries only


def batch_write(
    client: DynamoDBClient,
    requests: Sequence[Request],
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = MAX_UNPROCESSED_RETRIES,
) -> None:
    """Send every put/delete request, tables mixed in one batch; StorageUnavailable when some
    stay unprocessed after `max_retries` resends with jittered exponential backoff."""
    for chunk in chunks(requests):
        pending = chunk
        for attempt in range(max_retries + 1):
            _backoff(attempt, sleep)
            by_table: dict[str, list[dict[str, Any]]] = {}
            for table, request in pending:
                by_table.setdefault(table, []).append(request)
            batch: dict[str, Any] = {"RequestItems": by_table}
            with storage_errors():
                response = client.batch_write_item(**batch)
            unprocessed: dict[str, Any] = dict(response.get("UnprocessedItems", {}))
            pending = [(table, r) for table, left in unprocessed.items() for r in left]
            if not pending:
                break
        else:
            raise StorageUnavailable(
                f"{len(pending)} items stayed unprocessed after {max_retries} retries"
            )


def batch_get(
    client: DynamoDBClient,
    keys_by_table: Mapping[str, Sequence[Item]],
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = MAX_UNPROCESSED_RETRIES,
) -> dict[str, list[Item]]:
    """The items stored under the keys, by table, each read consistently (a missing one is
    simply absent); StorageUnavailable when keys stay unprocessed after `max_retries` resends."""
    found: dict[str, list[Item]] = {table: [] for table in keys_by_table}
    requests = [(table, key) for table, table_keys in keys_by_table.items() for key in table_keys]
    for start in range(0, len(requests), MAX_BATCH_KEYS):
        pending = requests[start : start + MAX_BATCH_KEYS]
        for attempt in range(max_retries + 1):
            _backoff(attempt, sleep)
            by_table: dict[str, dict[str, Any]] = {}
            for table, key in pending:
                by_table.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(key)
            batch: dict[str, Any] = {"RequestItems": by_table}
            with storage_errors():
                response = client.batch_get_item(**batch)
            for table, items in response.get("Responses", {}).items():
                found.setdefault(table, []).extend(items)
            unprocessed: dict[str, Any] = dict(response.get("UnprocessedKeys", {}))
            pending = [(table, key) for table, left in unprocessed.items() for key in left["Keys"]]
            if not pending:
                break
        else:
            raise StorageUnavailable(
                f"{len(pending)} keys stayed unprocessed after {max_retries} retries"
            )
    return found
