"""All-or-nothing writes: one TransactWriteItems (or a single conditional write) per call.

Each `Write` carries its condition and what a failure of that condition means for the port, so
the cancellation reasons DynamoDB returns map to the right domain error: the first failing
write, in the order given, names it (as the in-memory adapter checks its conditions in order).
Writes marked `skip_when_condition_fails` are dropped and the rest is sent again: that is how
"create if absent" and "delete if still open" live inside a transaction
(docs/decisions/069-atomic-writes-and-retries.md).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from adapters.dynamodb.attributes import AttributeValue, Item, item_size, n
from adapters.dynamodb.calls import error_code, storage_errors
from domain.errors import ConcurrentModification, DomainError
from ports.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_TRANSACTION_ITEMS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
# A cancelled transaction wrote nothing, so sending it again is safe; bounded all the same.
MAX_TRANSIENT_RETRIES = 5
_BASE_DELAY = 0.02
_MAX_DELAY = 0.5

# Cancellation reasons that say "try again" rather than "your condition is false".
_CONFLICT = "TransactionConflict"
_TRANSIENT_REASONS = frozenset({_CONFLICT, "ThrottlingError", "ProvisionedThroughputExceeded"})
_CONDITION_FAILED = "ConditionalCheckFailed"

Operation = Literal["Put", "Update", "Delete", "ConditionCheck"]
FailureMapper = Callable[[Item | None], DomainError]


class TransactionTooLarge(ValueError):
    """More than 100 items or 4 MB in one transaction: DynamoDB would refuse it."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition expression with its named placeholders."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, AttributeValue] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            f"({self.expression}) AND ({other.expression})",
            {**self.names, **other.names},
            {**self.values, **other.values},
        )


def exists(attribute: str) -> Condition:
    """The item is stored (its key attribute `attribute` exists)."""
    return Condition("attribute_exists(#key)", {"#key": attribute})


def absent(attribute: str) -> Condition:
    """No item is stored under the key (its key attribute `attribute` does not exist)."""
    return Condition("attribute_not_exists(#key)", {"#key": attribute})


def revision_is(revision: int) -> Condition:
    """The optimistic-concurrency guard of decision 053.

    Revision 0 means "nothing stored yet" (an item without a revision counts as nothing stored,
    so the first guarded write of an older item works too); N means "still stored as N".
    """
    if revision == 0:
        return Condition("attribute_not_exists(#rev)", {"#rev": "revision"})
    return Condition("#rev = :rev", {"#rev": "revision"}, {":rev": n(revision)})


@dataclass(frozen=True, slots=True)
class Write:
    """One element of an atomic write; `failure` turns its failed condition into a port error."""

    operation: Operation
    table: str
    key: Item
    request: Mapping[str, Any]
    failure: FailureMapper | None = None
    skip_when_condition_fails: bool = False

    def element(self) -> dict[str, Any]:
        """The TransactWriteItems element."""
        body: dict[str, Any] = {"TableName": self.table, **self.request}
        if self.operation != "Put":
            body["Key"] = self.key
        if "ConditionExpression" in body:
            body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {self.operation: body}

    def size(self) -> int:
        item = self.request.get("Item", self.key)
        values = self.request.get("ExpressionAttributeValues", {})
        return item_size(item) + item_size(values)

    def identity(self) -> tuple[str, str]:
        return (self.table, json.dumps(self.key, sort_keys=True))


def _with_condition(request: dict[str, Any], condition: Condition | None) -> dict[str, Any]:
    if condition is None:
        return request
    names = {**request.get("ExpressionAttributeNames", {}), **condition.names}
    values = {**request.get("ExpressionAttributeValues", {}), **condition.values}
    request["ConditionExpression"] = condition.expression
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    return request


def put(
    table: str,
    key: Item,
    item: Item,
    condition: Condition | None = None,
    failure: FailureMapper | None = None,
    *,
    skip_when_condition_fails: bool = False,
) -> Write:
    """Store the whole item (under `condition`, when given)."""
    request = _with_condition({"Item": item}, condition)
    return Write("Put", table, key, request, failure, skip_when_condition_fails)


def update(
    table: str,
    key: Item,
    expression: str,
    names: Mapping[str, str],
    values: Mapping[str, AttributeValue],
    condition: Condition | None = None,
    failure: FailureMapper | None = None,
) -> Write:
    """Change some attributes of the item (under `condition`, when given)."""
    request: dict[str, Any] = {"UpdateExpression": expression}
    if names:
        request["ExpressionAttributeNames"] = dict(names)
    if values:
        request["ExpressionAttributeValues"] = dict(values)
    return Write("Update", table, key, _with_condition(request, condition), failure)


def delete(
    table: str,
    key: Item,
    condition: Condition | None = None,
    failure: FailureMapper | None = None,
    *,
    skip_when_condition_fails: bool = False,
) -> Write:
    """Delete the item (under `condition`, when given); a missing item is no error."""
    request = _with_condition({}, condition)
    return Write("Delete", table, key, request, failure, skip_when_condition_fails)


def check(
    table: str, key: Item, condition: Condition, failure: FailureMapper | None = None
) -> Write:
    """Write nothing, but cancel the transaction unless `condition` holds on the item."""
    request = _with_condition({}, condition)
    return Write("ConditionCheck", table, key, request, failure)


def set_or_remove(
    attributes: Mapping[str, AttributeValue | None],
) -> tuple[str, dict[str, str], dict[str, AttributeValue]]:
    """An update expression that sets each attribute with a value and removes each without."""
    names: dict[str, str] = {}
    values: dict[str, AttributeValue] = {}
    assignments: list[str] = []
    removals: list[str] = []
    for number, (name, value) in enumerate(attributes.items()):
        names[f"#a{number}"] = name
        if value is None:
            removals.append(f"#a{number}")
        else:
            values[f":a{number}"] = value
            assignments.append(f"#a{number} = :a{number}")
    clauses = []
    if assignments:
        clauses.append("SET " + ", ".join(assignments))
    if removals:
        clauses.append("REMOVE " + ", ".join(removals))
    return " ".join(clauses), names, values


def check_transaction(writes: Sequence[Write]) -> None:
    """Refuse what DynamoDB would: >100 items, >4 MB, or one item written twice."""
    if len(writes) > MAX_TRANSACTION_ITEMS:
        raise TransactionTooLarge(
            f"{len(writes)} items in one transaction (at most {MAX_TRANSACTION_ITEMS})"
        )
    size = sum(write.size() for write in writes)
    if size > MAX_TRANSACTION_BYTES:
        raise TransactionTooLarge(f"{size} bytes in one transaction (at most 4 MB)")
    identities = [write.identity() for write in writes]
    if len(set(identities)) != len(identities):
        raise ValueError("one transaction writes the same item twice")


@dataclass(frozen=True, slots=True)
class _Reason:
    code: str
    item: Item | None


class _Cancelled(Exception):
    def __init__(self, reasons: list[_Reason], error: ClientError) -> None:
        super().__init__(error_code(error))
        self.reasons = reasons
        self.error = error


def write_atomically(
    client: DynamoDBClient,
    writes: Sequence[Write],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Write]:
    """Apply every write or none; raise the port error of the first failed condition.

    Returns the writes dropped because their condition failed (only those marked
    `skip_when_condition_fails` are ever dropped); the rest were all applied together.
    """
    check_transaction(writes)
    pending = list(writes)
    dropped: list[Write] = []
    transient = 0
    while pending:
        try:
            _send(client, pending)
            return dropped
        except _Cancelled as cancelled:
            reasons = cancelled.reasons
            failed = [i for i, r in enumerate(reasons) if r.code == _CONDITION_FAILED]
            if failed:
                _raise_first_hard_failure(pending, reasons, failed, cancelled.error)
                skipped = set(failed)
                dropped.extend(w for i, w in enumerate(pending) if i in skipped)
                pending = [w for i, w in enumerate(pending) if i not in skipped]
                continue
            codes = {r.code for r in reasons} - {"None", ""}
            if not codes or not codes <= _TRANSIENT_REASONS:
                raise cancelled.error from None
            transient += 1
            if transient > MAX_TRANSIENT_RETRIES:
                if _CONFLICT in codes:
                    raise ConcurrentModification(
                        "another write to these items kept conflicting"
                    ) from cancelled.error
                raise StorageUnavailable("DynamoDB kept throttling the transaction") from (
                    cancelled.error
                )
            # Full jitter: concurrent writers of the same items spread out.
            delay = min(_MAX_DELAY, _BASE_DELAY * 2**transient)
            sleep(random.uniform(0, delay))  # noqa: S311 - spreading retries, not security
    return dropped  # every write was dropped


def _raise_first_hard_failure(
    pending: Sequence[Write], reasons: Sequence[_Reason], failed: Sequence[int], error: ClientError
) -> None:
    for index in failed:
        write = pending[index]
        if write.skip_when_condition_fails:
            continue
        if write.failure is None:
            raise ConcurrentModification("a condition of the write failed") from error
        raise write.failure(reasons[index].item) from error


def _send(client: DynamoDBClient, writes: Sequence[Write]) -> None:
    if len(writes) == 1 and writes[0].operation != "ConditionCheck":
        _send_one(client, writes[0])
        return
    try:
        with storage_errors():
            request: dict[str, Any] = {"TransactItems": [w.element() for w in writes]}
            client.transact_write_items(**request)
    except ClientError as error:
        if error_code(error) != "TransactionCanceledException":
            raise
        raise _Cancelled(_reasons(error, len(writes)), error) from error


def _send_one(client: DynamoDBClient, write: Write) -> None:
    # A single conditional write costs half a transaction and fails the same way.
    request = write.element()[write.operation]
    try:
        with storage_errors():
            if write.operation == "Put":
                client.put_item(**request)
            elif write.operation == "Update":
                client.update_item(**request)
            else:
                client.delete_item(**request)
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        old = _old_item(error.response.get("Item"))
        raise _Cancelled([_Reason(_CONDITION_FAILED, old)], error) from error


_REASONS_IN_MESSAGE = re.compile(r"\[([^\]]*)\]")


def _reasons(error: ClientError, count: int) -> list[_Reason]:
    raw = error.response.get("CancellationReasons")
    if isinstance(raw, list) and len(raw) == count:
        return [_Reason(str(r.get("Code", "None")), _old_item(r.get("Item"))) for r in raw]
    # Some endpoints only name the reasons in the message: "reasons [None, ConditionalCheckFailed]".
    match = _REASONS_IN_MESSAGE.search(str(error.response.get("Error", {}).get("Message", "")))
    codes = [c.strip() for c in match.group(1).split(",")] if match else []
    if len(codes) != count:
        codes = ["Unknown"] * count
    return [_Reason(code, None) for code in codes]


def _old_item(value: object) -> Item | None:
    return value if isinstance(value, dict) else None
