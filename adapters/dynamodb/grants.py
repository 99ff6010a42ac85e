"""What each deployed function may reach in a layout: tables, indexes and partition keys.

The deployment template turns these into IAM statements (infra/template.py), so the layout
that names tables, indexes and keys also says which of them a function's access patterns use
(docs/decisions/135-least-privilege-on-one-table.md). On the eight tables the table boundary
does the work; on one table, `dynamodb:LeadingKeys` bounds the partitions a function may
address (`USER#…` and the index partitions it queries, never `MIGRATIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from adapters.dynamodb import keys
from adapters.dynamodb import layout_multi as multi
from adapters.dynamodb import layout_single as single
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.tables import Table

Role = Literal["http", "webhook", "reminders"]


@dataclass(frozen=True, slots=True)
class Grant:
    """Access to one table: the table itself or not, the indexes named, and, when not empty,
    only partition key values matching one of `leading_keys` (IAM `StringLike` patterns)."""

    table: Table
    whole_table: bool
    indexes: tuple[str, ...]
    leading_keys: tuple[str, ...] = ()


# Partition key prefixes of the single table (base table and index partitions).
_ACTIVE = keys.active_shard_value(0).split("#")[0] + "#"
_HTTP_PARTITIONS = (
    single.USER_PREFIX,
    single.EMAIL_PREFIX,
    "CUSTOMER#",
    "TEST#",
    "MONTH#",
    _ACTIVE,
    "OPEN#",
)
_WEBHOOK_PARTITIONS = (single.USER_PREFIX, "CUSTOMER#")
_REMINDER_PARTITIONS = ("OPEN#",)


def grants(layout: Layout, role: Role) -> tuple[Grant, ...]:
    """The tables, indexes and partitions the `role` function's access patterns use."""
    if layout.name == single.SingleLayout.name:
        return _single(role)
    return _multi(role)


def _multi(role: Role) -> tuple[Grant, ...]:
    if role == "http":
        return tuple(
            Grant(table, True, tuple(index.name for index in table.indexes))
            for table in multi.TABLES
            if table.logical in keys.USER_TABLES
        )
    if role == "webhook":
        return tuple(
            Grant(
                table,
                True,
                tuple(i.name for i in table.indexes if i.name == multi.STRIPE_CUSTOMER_INDEX),
            )
            for table in multi.TABLES
            if table.logical in (keys.USERS, keys.SUBSCRIPTIONS, keys.USER_LIMITS)
        )
    # Users with open tasks come from the date index alone (no table read).
    return (Grant(multi.table_by_logical(keys.CALENDAR_TASKS), False, (multi.DATE_INDEX,)),)


def _single(role: Role) -> tuple[Grant, ...]:
    every_index = tuple(index.name for index in single.TABLE.indexes)
    if role == "http":
        return (Grant(single.TABLE, True, every_index, _patterns(_HTTP_PARTITIONS)),)
    if role == "webhook":
        return (Grant(single.TABLE, True, (single.GSI1,), _patterns(_WEBHOOK_PARTITIONS)),)
    # The open-task partitions of the overloaded index, nothing else it holds (users by email).
    return (Grant(single.TABLE, False, (single.GSI1,), _patterns(_REMINDER_PARTITIONS)),)


def _patterns(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(prefix + "*" for prefix in prefixes)
