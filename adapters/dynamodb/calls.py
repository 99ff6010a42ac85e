"""Calls to DynamoDB with its failures translated: throttling and outages become StorageUnavailable.

Throttling (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded, ...) is
retried by botocore's `standard` retry mode configured where the client is built
(infra/embedded.py, `make_client`); an error that still reaches us here means those retries are
exhausted (docs/decisions/069-atomic-writes-and-retries.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from adapters.dynamodb.attributes import Item
from ports.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Error codes that mean "not now" rather than "not this request".
UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "LimitExceededException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def error_code(error: ClientError) -> str:
    """The AWS error code of a ClientError ("" when it has none)."""
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn exhausted throttling retries and unreachable endpoints into StorageUnavailable."""
    try:
        yield
    except ClientError as error:
        if error_code(error) in UNAVAILABLE_CODES:
            raise StorageUnavailable(f"DynamoDB: {error_code(error)}") from error
        raise
    except (ConnectionError, HTTPClientError) as error:
        raise StorageUnavailable("DynamoDB is unreachable") from error


def get_item(
    client: DynamoDBClient, table: str, key: Item, *, consistent: bool = True
) -> Item | None:
    """One item by its key, or None (strongly consistent unless told otherwise)."""
    with storage_errors():
        response = client.get_item(TableName=table, Key=key, ConsistentRead=consistent)
    found: Item | None = response.get("Item")
    return found


def query_all(client: DynamoDBClient, request: dict[str, Any]) -> list[Item]:
    """Every item a Query matches, following LastEvaluatedKey page after page."""
    items: list[Item] = []
    for page in query_pages(client, request):
        items.extend(page)
    return items


def query_pages(
    client: DynamoDBClient, request: dict[str, Any], *, grow_to: int | None = None
) -> Iterator[list[Item]]:
    """The pages of a Query, lazily (a caller that found what it wanted stops reading).

    With `grow_to`, each further page asks for twice the `Limit` of the one before, up to
    `grow_to`: a reader that usually needs one small page rarely needs many more.
    """
    kwargs = dict(request)
    while True:
        with storage_errors():
            response = client.query(**kwargs)
        yield list(response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last
        if grow_to is not None:
            kwargs["Limit"] = min(2 * kwargs["Limit"], grow_to)
