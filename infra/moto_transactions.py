"""moto's TransactWriteItems at the cost of what it touches (docs/proposals/moto-transactions.md).

moto 5.2 deep-copies every table a transaction names before applying it, so one transaction
costs as much as the whole table. `apply()` replaces `DynamoDBBackend.transact_write_items`
with the same code, except that the backup is an undo log: before each operation writes, the
one item it touches (and the length of the table's stream) is remembered, and on failure every
remembered item is put back in reverse order. Conditions, the one-operation-per-item rule,
ALL_OLD on condition failure and the cancellation reasons (one per operation, in order) are
moto's own code, unchanged.

The replacement is applied only when moto's function is the one it was written from (its
source hash); otherwise moto is left alone, slower but correct, and
tests/integration/test_moto_transactions.py fails so the upgrade gets looked at.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import logging
from dataclasses import dataclass
from typing import Any

_log = logging.getLogger("flowlogic.embedded")

# sha256 of `inspect.getsource(DynamoDBBackend.transact_write_items)` in moto 5.2.x.
REPLACED_SOURCE_SHA256 = "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4"
# Where apply() keeps moto's own function, on moto's class.
_ORIGINAL = "_flowlogic_original_transact"
# Most operations one transaction may hold (DynamoDB's limit, which moto enforces).
_MAX_OPERATIONS = 100


def moto_source_sha256() -> str:
    """The hash of the installed moto's own transact_write_items (before any patch)."""
    from moto.dynamodb.models import DynamoDBBackend

    original = getattr(DynamoDBBackend, _ORIGINAL, None)
    function = original or DynamoDBBackend.transact_write_items
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def apply() -> bool:
    """Install the undo-log transaction on moto's DynamoDB backend (idempotent).

    Returns whether it is installed; False means moto changed and keeps its own code.
    """
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, _ORIGINAL, None) is not None:
        return True
    if moto_source_sha256() != REPLACED_SOURCE_SHA256:
        _log.warning(
            "moto's transact_write_items changed; the embedded DynamoDB keeps moto's own "
            "(correct, but a transaction costs as much as the tables it names)"
        )
        return False
    # setattr: the class's declared methods are not meant to be assigned, except here.
    setattr(DynamoDBBackend, _ORIGINAL, DynamoDBBackend.transact_write_items)
    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
    return True


def restore() -> None:
    """Put moto's own transact_write_items back (tests compare both)."""
    from moto.dynamodb.models import DynamoDBBackend

    original = getattr(DynamoDBBackend, _ORIGINAL, None)
    if original is not None:
        setattr(DynamoDBBackend, "transact_write_items", original)  # noqa: B010
        setattr(DynamoDBBackend, _ORIGINAL, None)


@dataclass(frozen=True)
class _Before:
    """One item as it was before the transaction wrote it (None: it did not exist)."""

    table: Any
    hash_value: Any
    range_value: Any
    item: Any
    stream_length: int | None


class _UndoLog:
    def __init__(self) -> None:
        self._entries: list[_Before] = []

    def remember(self, table: Any, key: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = None
        if table.range_key_attr is not None:
            range_value = DynamoType(key[table.range_key_attr])
        shard = table.stream_shard
        self._entries.append(
            _Before(
                table=table,
                hash_value=hash_value,
                range_value=range_value,
                # Updates change the stored Item in place: keep a copy of this one item only.
                item=copy.deepcopy(table.get_item(hash_value, range_value)),
                stream_length=None if shard is None else len(shard.items),
            )
        )

    def roll_back(self) -> None:
        # Reverse order: each item ends as it was before its first write in the transaction.
        for before in reversed(self._entries):
            table = before.table
            if before.range_value is not None:
                rows = table.items[before.hash_value]
                if before.item is None:
                    rows.pop(before.range_value, None)
                else:
                    rows[before.range_value] = before.item
            elif before.item is None:
                table.items.pop(before.hash_value, None)
            else:
                table.items[before.hash_value] = before.item
            if before.stream_length is not None and table.stream_shard is not None:
                # A cancelled transaction leaves no stream record, as moto's table copy did not.
                del table.stream_shard.items[before.stream_length :]
        self._entries.clear()


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's DynamoDBBackend.transact_write_items with an undo log instead of table copies."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > _MAX_OPERATIONS:
        raise TooManyTransactionsException()
    undo = _UndoLog()
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")

            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")

            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]

            check_unicity(table_name, key)

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression,
                    expression_attribute_names,
                    expression_attribute_values,
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type != "ConditionCheck":
                undo.remember(self.get_table(table_name), key)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.roll_back()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:
            # As moto: any other failure becomes this operation's cancellation reason.
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        undo.roll_back()
        raise TransactionCanceledException(errors)
