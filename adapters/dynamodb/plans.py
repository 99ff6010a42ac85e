"""The plans table on DynamoDB: at most one active plan per user (decision 052)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import (
    Condition,
    Write,
    absent,
    check,
    exists,
    put,
    set_or_remove,
    update,
    write_atomically,
)
from adapters.dynamodb.attributes import Item, b, t
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import query_all
from adapters.dynamodb.layout import with_filter
from adapters.dynamodb.mappers.plans import plan_from_item, plan_to_item
from domain.errors import ConcurrentModification, DomainError, NotFound
from domain.plan import Plan


class DynamoDBPlanRepository(DynamoDBRepository):
    """A user's correction plans."""

    def get_active(self, user_id: str) -> Plan | None:
        """The user's active plan, read consistently, or None.

        A GSI read cannot be consistent, so this queries the user's partition of the table
        (a handful of plans) rather than the active-plans index, which serves cross-user readers.
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
        layout = self._layout
        active = plan_to_item(dataclasses.replace(plan, is_active=True))
        writes: list[Write] = [
            put(
                table,
                layout.plan_key(plan.user_id, plan.plan_id),
                layout.stored(keys.PLANS, active),
                absent(layout.key_attribute(keys.PLANS)),
                _version_taken,
            ),
        ]
        if previous is not None:
            if previous.user_id != plan.user_id:
                raise ValueError("the previous plan belongs to another user")
            # Like the in-memory adapter: only the flag, its index key and the time change.
            inactive = plan_to_item(dataclasses.replace(previous, is_active=False))
            expression, names, values = set_or_remove(
                {
                    "is_active": b(False),
                    "updated_at": t(previous.updated_at),
                    **layout.index_values(keys.PLANS, inactive),
                }
            )
            writes.append(
                update(
                    table,
                    layout.plan_key(previous.user_id, previous.plan_id),
                    expression,
                    names,
                    values,
                    Condition("#active = :true", {"#active": "is_active"}, {":true": b(True)}),
                    _no_longer_active,
                )
            )
        if require_user:
            # An erased user gets no plan, even from a generation that read the profile before
            # the erasure.
            writes.append(
                check(
                    self._table(keys.USERS),
                    layout.user_key(plan.user_id),
                    exists(layout.key_attribute(keys.USERS)),
                    _no_such_user,
                )
            )
        write_atomically(self._client, writes)

    def _of_user(self, user_id: str, condition: Condition | None) -> list[Plan]:
        request = self._layout.of_user(keys.PLANS, user_id)
        if condition is not None:
            with_filter(request, condition.expression, condition.names, condition.values)
        plans = [plan_from_item(item) for item in query_all(self._client, request)]
        return sorted(plans, key=lambda p: (p.version, p.plan_id))


def _no_such_user(_old: Item | None) -> DomainError:
    return NotFound("no such user")


def _version_taken(_old: Item | None) -> DomainError:
    return ConcurrentModification("a plan of this version was stored meanwhile")


def _no_longer_active(_old: Item | None) -> DomainError:
    return ConcurrentModification("the previous plan is no longer active")
