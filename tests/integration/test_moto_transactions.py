"""The embedded server's TransactWriteItems (infra/moto_transactions.py): DynamoDB's semantics,
the same answers as moto's own code, and a guard that fails when a moto upgrade changes it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from infra import moto_transactions
from tests.support.dynamodb_backend import shared_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ACCOUNT = "123456789012"  # moto's default account


def test_moto_still_has_the_function_the_replacement_was_written_from() -> None:
    """Fails after a moto upgrade that changed transact_write_items: compare the new code with
    infra/moto_transactions.py, carry the change over, then update REPLACED_SOURCE_SHA256."""
    from moto.dynamodb.models import DynamoDBBackend

    assert moto_transactions.moto_source_sha256() == moto_transactions.REPLACED_SOURCE_SHA256
    shared_client()  # starts the embedded server, which applies the replacement
    assert moto_transactions.apply() is True
    assert DynamoDBBackend.transact_write_items is moto_transactions.transact_write_items


@pytest.fixture(params=["undo-log", "moto"])
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every semantics test runs on the replacement and on moto's own code, same expectations."""
    shared_client()
    if request.param == "moto":
        moto_transactions.restore()
    try:
        yield str(request.param)
    finally:
        moto_transactions.apply()


@pytest.fixture
def tables() -> Iterator[tuple[str, str]]:
    client = shared_client()
    names = (f"tx-a-{uuid.uuid4().hex[:8]}", f"tx-b-{uuid.uuid4().hex[:8]}")
    for name in names:
        client.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    try:
        yield names
    finally:
        for name in names:
            client.delete_table(TableName=name)


def _key(pk: str, sk: str = "x") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _put(client: DynamoDBClient, table: str, pk: str, value: int) -> None:
    client.put_item(TableName=table, Item={**_key(pk), "v": {"N": str(value)}})


def _value(client: DynamoDBClient, table: str, pk: str) -> int | None:
    item = client.get_item(TableName=table, Key=_key(pk), ConsistentRead=True).get("Item")
    return None if item is None else int(item["v"]["N"])


def _everything(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: str(item["pk"]))


def _stream_length(table: str) -> int:
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[ACCOUNT]["us-east-1"].tables[table].stream_shard
    assert shard is not None
    return len(shard.items)


def _cancel(client: DynamoDBClient, operations: list[Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=operations)
    return dict(raised.value.response)


def test_a_failed_condition_rolls_back_every_touched_item_in_every_table(
    engine: str, tables: tuple[str, str]
) -> None:
    client = shared_client()
    first, second = tables
    _put(client, first, "updated", 1)
    _put(client, first, "deleted", 1)
    _put(client, second, "replaced", 1)
    before = (_everything(client, first), _everything(client, second))
    streamed = (_stream_length(first), _stream_length(second))

    response = _cancel(
        client,
        [
            {
                "Update": {
                    "TableName": first,
                    "Key": _key("updated"),
                    "UpdateExpression": "SET v = v + :one, added = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": first, "Key": _key("deleted")}},
            {"Put": {"TableName": first, "Item": {**_key("created"), "v": {"N": "7"}}}},
            {"Put": {"TableName": second, "Item": {**_key("replaced"), "v": {"N": "9"}}}},
            {
                "ConditionCheck": {
                    "TableName": second,
                    "Key": _key("missing"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
    )

    assert response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert (_everything(client, first), _everything(client, second)) == before
    assert (_stream_length(first), _stream_length(second)) == streamed


def test_cancellation_reasons_are_in_operation_order_with_the_old_item_on_request(
    engine: str, tables: tuple[str, str]
) -> None:
    client = shared_client()
    table = tables[0]
    _put(client, table, "kept", 5)

    response = _cancel(
        client,
        [
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": _key("absent"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {"Put": {"TableName": table, "Item": {**_key("new"), "v": {"N": "1"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": _key("kept"),
                    "UpdateExpression": "SET v = :v",
                    "ConditionExpression": "v = :other",
                    "ExpressionAttributeValues": {":v": {"N": "6"}, ":other": {"N": "4"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
        ],
    )

    reasons = response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == [
        "ConditionalCheckFailed",
        "None",
        "ConditionalCheckFailed",
    ]
    assert reasons[2]["Item"]["v"] == {"N": "5"}
    assert _value(client, table, "new") is None
    assert _value(client, table, "kept") == 5


def test_two_operations_on_one_item_are_refused_and_write_nothing(
    engine: str, tables: tuple[str, str]
) -> None:
    client = shared_client()
    table = tables[0]

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**_key("one"), "v": {"N": "1"}}}},
                {"Put": {"TableName": table, "Item": {**_key("two"), "v": {"N": "1"}}}},
                {"Delete": {"TableName": table, "Key": _key("one")}},
            ]
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _everything(client, table) == []


def test_a_transaction_that_succeeds_writes_every_item(
    engine: str, tables: tuple[str, str]
) -> None:
    client = shared_client()
    first, second = tables
    _put(client, first, "counter", 1)

    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": first,
                    "Key": _key("counter"),
                    "UpdateExpression": "SET v = v + :one",
                    "ConditionExpression": "v = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Put": {"TableName": second, "Item": {**_key("made"), "v": {"N": "3"}}}},
        ]
    )

    assert _value(client, first, "counter") == 2
    assert _value(client, second, "made") == 3
    assert _stream_length(first) == 2
