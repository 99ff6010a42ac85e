"""The plans table on DynamoDB: at most one active plan per user (decision 052)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import (
    Condition,
    Write,
    absent,
    check,
    exists,
    put,
    update,
    write_atomically,
)
from adapters.dynamodb.attributes import Item, b, s, t
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import query_all
from adapters.dynamodb.mappers.plans import plan_from_item, plan_to_item
from domain.errors import ConcurrentModification, DomainError, NotFound
from domain.plan import Plan


class DynamoDBPlanRepository(DynamoDBRepository):
    """A user's correction plans."""

    def get_active(self, user_id: str) -> Plan | None:
        """The user's active plan, read consistently, or None.

        A GSI read cannot be consistent, so this queries the user's partition of the table
        (a handful of plans) rather than active-index, which serves cross-user readers.
        """
        active = self._of_user(
            user_id,
            Condition("#active = :true", {"#active": "is_active"}, {":true": b(True)}),
        )
        return active[-1] if active else None

    def list_for_user(self, user_id: str) -> Sequence[Plan]:
        """Every plan of the user, oldest version first (read consistently)."""
        return self._of_user(user_id, None)

    def activate(self, plan: Plan, previous: Plan | None, *, require_user: bool = False) -> None:
        """Put `plan` as active (new plan id) and flip `previous` off while it is still active,
        in one transaction; ConcurrentModification if either condition fails."""
        table = self._table(keys.PLANS)
        writes: list[Write] = [
            put(
                table,
                keys.plan_key(plan.user_id, plan.plan_id),
                plan_to_item(dataclasses.replace(plan, is_active=True), self._shards),
                absent("plan_id"),
                _version_taken,
            ),
        ]
        if previous is not None:
            if previous.user_id != plan.user_id:
                raise ValueError("the previous plan belongs to another user")
            # Like the in-memory adapter: only the flag, its index key and the time change.
            writes.append(
                update(
                    table,
                    keys.plan_key(previous.user_id, previous.plan_id),
                    "SET #active = :false, #updated = :updated REMOVE #shard",
                    {"#active": "is_active", "#updated": "updated_at", "#shard": keys.ACTIVE_SHARD},
                    {":false": b(False), ":updated": t(previous.updated_at)},
                    Condition("#active = :true", {}, {":true": b(True)}),
                    _no_longer_active,
                )
            )
        if require_user:
            # An erased user gets no plan, even from a generation that read the profile before
            # the erasure.
            writes.append(
                check(
                    self._table(keys.USERS),
                    keys.user_key(plan.user_id),
                    exists("user_id"),
                    _no_such_user,
                )
            )
        write_atomically(self._client, writes)

    def _of_user(self, user_id: str, condition: Condition | None) -> list[Plan]:
        request: dict[str, Any] = {
            "TableName": self._table(keys.PLANS),
            "KeyConditionExpression": "#user = :user",
            "ExpressionAttributeNames": {"#user": "user_id"},
            "ExpressionAttributeValues": {":user": s(user_id)},
            "ConsistentRead": True,
        }
        if condition is not None:
            request["FilterExpression"] = condition.expression
            request["ExpressionAttributeNames"].update(condition.names)
            request["ExpressionAttributeValues"].update(condition.values)
        plans = [plan_from_item(item) for item in query_all(self._client, request)]
        return sorted(plans, key=lambda p: (p.version, p.plan_id))


def _no_such_user(_old: Item | None) -> DomainError:
    return NotFound("no such user")


def _version_taken(_old: Item | None) -> DomainError:
    return ConcurrentModification("a plan of this version was stored meanwhile")


def _no_longer_active(_old: Item | None) -> DomainError:
    return ConcurrentModification("the previous plan is no longer active")
