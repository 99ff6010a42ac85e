"""BatchWriteItem in chunks of 25, resending `UnprocessedItems` with jittered exponential backoff.

A batch is not atomic: it is used only where each item stands alone (erasure), never for an
invariant spanning items (docs/decisions/069-atomic-writes-and-retries.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from adapters.dynamodb.attributes import Item
from adapters.dynamodb.calls import storage_errors
from ports.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_BATCH_ITEMS = 25
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
            if attempt:
                # Full jitter: writers throttled together do not come back together.
                delay = min(_MAX_DELAY, _BASE_DELAY * 2**attempt)
                sleep(random.uniform(0, delay))  # noqa: S311 - spreading retries only
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
