"""Atomic writes and batches against a scripted client: limits, error mapping, retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from adapters.dynamodb.atomic import (
    MAX_TRANSACTION_ITEMS,
    TransactionTooLarge,
    Write,
    absent,
    delete,
    put,
    revision_is,
    set_or_remove,
    write_atomically,
)
from adapters.dynamodb.attributes import Item, s
from adapters.dynamodb.batches import MAX_BATCH_ITEMS, batch_write, chunks, delete_request
from adapters.dynamodb.calls import get_item
from domain.errors import ConcurrentModification, DomainError, EmailTaken, NotFound
from ports.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Response = dict[str, Any] | Exception


def client_error(code: str, **extra: Any) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}, **extra}
    return ClientError(response, "Operation")


def cancelled(*codes: str, items: dict[int, Item] | None = None) -> ClientError:
    reasons: list[dict[str, Any]] = []
    for index, code in enumerate(codes):
        reason: dict[str, Any] = {"Code": code}
        if items and index in items:
            reason["Item"] = items[index]
        reasons.append(reason)
    return client_error("TransactionCanceledException", CancellationReasons=reasons)


class ScriptedClient:
    """Answers each call with the next scripted response (or raises it), recording requests."""

    def __init__(self, *responses: Response) -> None:
        self.responses = list(responses)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _answer(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, request))
        response = self.responses.pop(0) if self.responses else {}
        if isinstance(response, Exception):
            raise response
        return response

    def transact_write_items(self, **request: Any) -> dict[str, Any]:
        return self._answer("TransactWriteItems", request)

    def put_item(self, **request: Any) -> dict[str, Any]:
        return self._answer("PutItem", request)

    def update_item(self, **request: Any) -> dict[str, Any]:
        return self._answer("UpdateItem", request)

    def delete_item(self, **request: Any) -> dict[str, Any]:
        return self._answer("DeleteItem", request)

    def batch_write_item(self, **request: Any) -> dict[str, Any]:
        return self._answer("BatchWriteItem", request)

    def get_item(self, **request: Any) -> dict[str, Any]:
        return self._answer("GetItem", request)

    def as_client(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self)


def no_sleep(_: float) -> None:
    pass


def error(message: str, kind: type[DomainError] = ConcurrentModification) -> Callable[..., Any]:
    return lambda _old: kind(message)


def a_put(key: str, failure: Callable[..., Any] | None = None, *, skip: bool = False) -> Write:
    return put(
        "table",
        {"id": s(key)},
        {"id": s(key), "value": s("v")},
        absent("id"),
        failure or error(key),
        skip_when_condition_fails=skip,
    )


def test_more_than_a_hundred_items_are_refused_before_anything_is_sent() -> None:
    client = ScriptedClient()
    writes = [a_put(str(n)) for n in range(MAX_TRANSACTION_ITEMS + 1)]
    with pytest.raises(TransactionTooLarge):
        write_atomically(client.as_client(), writes)
    assert client.calls == []


def test_a_hundred_items_go_in_one_transaction() -> None:
    client = ScriptedClient()
    write_atomically(client.as_client(), [a_put(str(n)) for n in range(MAX_TRANSACTION_ITEMS)])
    [(operation, request)] = client.calls
    assert operation == "TransactWriteItems"
    assert len(request["TransactItems"]) == MAX_TRANSACTION_ITEMS


def test_more_than_four_megabytes_are_refused() -> None:
    big = "x" * 350_000
    writes = [put("table", {"id": s(str(n))}, {"id": s(str(n)), "blob": s(big)}) for n in range(13)]
    with pytest.raises(TransactionTooLarge, match="4 MB"):
        write_atomically(ScriptedClient().as_client(), writes)


def test_writing_one_item_twice_in_a_transaction_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        write_atomically(ScriptedClient().as_client(), [a_put("a"), a_put("a")])


def test_a_single_write_is_a_plain_conditional_put_with_named_placeholders() -> None:
    client = ScriptedClient()
    write_atomically(client.as_client(), [a_put("a")])
    [(operation, request)] = client.calls
    assert operation == "PutItem"
    assert request["ConditionExpression"] == "attribute_not_exists(#key)"
    assert request["ExpressionAttributeNames"] == {"#key": "id"}
    assert request["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_a_failed_single_condition_raises_the_writes_error_from_the_original() -> None:
    old = {"id": s("a"), "value": s("stored")}
    client = ScriptedClient(client_error("ConditionalCheckFailedException", Item=old))
    seen: list[Item | None] = []

    def failure(item: Item | None) -> DomainError:
        seen.append(item)
        return NotFound("gone")

    with pytest.raises(NotFound) as raised:
        write_atomically(client.as_client(), [a_put("a", failure)])
    assert isinstance(raised.value.__cause__, ClientError)
    assert seen == [old]


def test_the_first_failed_condition_in_order_names_the_error() -> None:
    client = ScriptedClient(cancelled("None", "ConditionalCheckFailed", "ConditionalCheckFailed"))
    writes = [a_put("a"), a_put("b", error("b", EmailTaken)), a_put("c")]
    with pytest.raises(EmailTaken):
        write_atomically(client.as_client(), writes)


def test_the_old_item_of_the_failed_write_reaches_its_error() -> None:
    old = {"id": s("b"), "status": s("completed")}
    client = ScriptedClient(cancelled("None", "ConditionalCheckFailed", items={1: old}))
    seen: list[Item | None] = []

    def failure(item: Item | None) -> DomainError:
        seen.append(item)
        return ConcurrentModification("b")

    with pytest.raises(ConcurrentModification):
        write_atomically(client.as_client(), [a_put("a"), a_put("b", failure)])
    assert seen == [old]


def test_skippable_writes_whose_condition_failed_are_dropped_and_the_rest_sent_again() -> None:
    client = ScriptedClient(cancelled("None", "ConditionalCheckFailed", "None"), {})
    writes = [a_put("a"), a_put("b", skip=True), a_put("c", skip=True)]
    write_atomically(client.as_client(), writes)
    assert [op for op, _ in client.calls] == ["TransactWriteItems", "TransactWriteItems"]
    resent = client.calls[1][1]["TransactItems"]
    assert [element["Put"]["Item"]["id"]["S"] for element in resent] == ["a", "c"]


def test_a_transaction_conflict_is_retried_and_then_lands_once() -> None:
    client = ScriptedClient(cancelled("TransactionConflict", "None"), {})
    write_atomically(client.as_client(), [a_put("a"), a_put("b")], sleep=no_sleep)
    assert len(client.calls) == 2


def test_a_lasting_transaction_conflict_is_a_concurrent_modification() -> None:
    client = ScriptedClient(*[cancelled("TransactionConflict", "None") for _ in range(10)])
    with pytest.raises(ConcurrentModification):
        write_atomically(client.as_client(), [a_put("a"), a_put("b")], sleep=no_sleep)
    assert len(client.calls) == 6


def test_lasting_throttling_inside_a_transaction_is_storage_unavailable() -> None:
    client = ScriptedClient(*[cancelled("ThrottlingError", "None") for _ in range(10)])
    with pytest.raises(StorageUnavailable):
        write_atomically(client.as_client(), [a_put("a"), a_put("b")], sleep=no_sleep)


def test_throttling_that_outlasted_botocores_retries_is_storage_unavailable() -> None:
    client = ScriptedClient(client_error("ProvisionedThroughputExceededException"))
    with pytest.raises(StorageUnavailable) as raised:
        write_atomically(client.as_client(), [a_put("a")])
    assert isinstance(raised.value.__cause__, ClientError)


def test_an_unreachable_endpoint_is_storage_unavailable() -> None:
    client = ScriptedClient(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(StorageUnavailable):
        get_item(client.as_client(), "table", {"id": s("a")})


def test_a_request_dynamodb_refuses_is_not_hidden() -> None:
    client = ScriptedClient(client_error("ValidationException"))
    with pytest.raises(ClientError):
        write_atomically(client.as_client(), [a_put("a")])


def test_a_revision_guard_is_not_exists_for_zero_and_equality_after() -> None:
    assert revision_is(0).expression == "attribute_not_exists(#rev)"
    later = revision_is(3)
    assert (later.expression, dict(later.values)) == ("#rev = :rev", {":rev": {"N": "3"}})


def test_an_update_sets_present_values_and_removes_absent_ones() -> None:
    expression, names, values = set_or_remove({"a": s("x"), "b": None, "c": s("y")})
    assert expression == "SET #a0 = :a0, #a2 = :a2 REMOVE #a1"
    assert names == {"#a0": "a", "#a1": "b", "#a2": "c"}
    assert set(values) == {":a0", ":a2"}


def test_a_delete_without_condition_carries_no_condition() -> None:
    element = delete("table", {"id": s("a")}).element()
    assert element == {"Delete": {"TableName": "table", "Key": {"id": {"S": "a"}}}}


# --- batches -----------------------------------------------------------------------------------


def test_batches_hold_at_most_twenty_five_requests_of_any_tables() -> None:
    requests = [(f"t{n % 2}", delete_request({"id": s(str(n))})) for n in range(60)]
    assert [len(chunk) for chunk in chunks(requests)] == [25, 25, 10]
    client = ScriptedClient()
    batch_write(client.as_client(), requests, sleep=no_sleep)
    sizes = [
        sum(len(items) for items in request["RequestItems"].values()) for _, request in client.calls
    ]
    assert sizes == [25, 25, 10]
    assert max(sizes) <= MAX_BATCH_ITEMS
    assert set(client.calls[0][1]["RequestItems"]) == {"t0", "t1"}


def test_unprocessed_items_are_sent_again_until_none_is_left() -> None:
    deletes = [delete_request({"id": s(str(n))}) for n in range(3)]
    client = ScriptedClient(
        {"UnprocessedItems": {"table": deletes[1:]}},
        {"UnprocessedItems": {"table": deletes[2:]}},
        {"UnprocessedItems": {}},
    )
    delays: list[float] = []
    batch_write(client.as_client(), [("table", d) for d in deletes], sleep=delays.append)
    sent = [request["RequestItems"]["table"] for _, request in client.calls]
    assert sent == [deletes, deletes[1:], deletes[2:]]
    assert len(delays) == 2
    assert all(0 <= delay <= 2.0 for delay in delays)


def test_items_that_stay_unprocessed_are_storage_unavailable() -> None:
    deletes = [delete_request({"id": s("a")})]
    client = ScriptedClient(*[{"UnprocessedItems": {"table": deletes}} for _ in range(20)])
    with pytest.raises(StorageUnavailable):
        batch_write(client.as_client(), [("table", deletes[0])], sleep=no_sleep, max_retries=3)
    assert len(client.calls) == 4
