"""The storage layout seam: where each entity lives, under which keys, and which index serves
which access pattern (docs/decisions/120-the-layout-seam.md).

A `Layout` owns, for every entity and access pattern, the physical table, the key attribute
names and values, the index names and index key values (sparse and sharded ones included), the
table definitions, and how to tell an item's entity. Repositories, mappers' callers, snapshot
reads, export and erasure, backfills, the migrations ledger and stream decoding ask it; nothing
else names a table, a key attribute or an index. Two layouts exist: `multi` (the eight
documented tables, adapters/dynamodb/layout_multi.py) and `single` (one table, generic keys,
adapters/dynamodb/layout_single.py).

Entities are named by the documented tables (adapters/dynamodb/keys.py); a "sort value" is an
item's place among one user's items of an entity in the entity's own terms (a subscription id,
`YYYY-MM-DD#task_id`, a date), to which a layout may add its own prefix.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import AttributeValue, Item, get_s, s
from adapters.dynamodb.tables import Table

Request = dict[str, Any]
IndexValues = dict[str, AttributeValue | None]
SortOperator = Literal["=", "<=", ">=", "between", "begins"]
LAYOUTS = ("multi", "single")


@dataclass(frozen=True, slots=True)
class Sort:
    """A condition on the sort value of one user's items of an entity, in the entity's terms."""

    operator: SortOperator
    low: str
    high: str | None = None

    def render(self, prefix: str = "") -> tuple[str, dict[str, AttributeValue]]:
        """The key condition on the sort key `#sk` and its values, sort values prefixed.

        With a prefix, open-ended conditions are bounded to the prefix's items, since other
        kinds of items share the partition: `<= v` is `BETWEEN prefix AND prefix+v`.
        """
        low = prefix + self.low
        if self.operator == "=":
            return "#sk = :s0", {":s0": s(low)}
        if self.operator == "begins":
            return "begins_with(#sk, :s0)", {":s0": s(low)}
        if self.operator == "between":
            assert self.high is not None
            return "#sk BETWEEN :s0 AND :s1", {":s0": s(low), ":s1": s(prefix + self.high)}
        if not prefix:
            return f"#sk {self.operator} :s0", {":s0": s(low)}
        if self.operator == "<=":
            return "#sk BETWEEN :s0 AND :s1", {":s0": s(prefix), ":s1": s(low)}
        return "#sk BETWEEN :s0 AND :s1", {":s0": s(low), ":s1": s(after_prefix(prefix))}


def after_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def with_filter(
    request: Request,
    expression: str,
    names: Mapping[str, str],
    values: Mapping[str, AttributeValue] | None = None,
) -> Request:
    """The request with one more filter condition (ANDed with the one it has)."""
    current = request.get("FilterExpression")
    both = expression if current is None else f"({current}) AND ({expression})"
    request["FilterExpression"] = both
    request.setdefault("ExpressionAttributeNames", {}).update(names)
    if values:
        request.setdefault("ExpressionAttributeValues", {}).update(values)
    return request


def _task_dates(first: date | None, last: date | None) -> Sort | None:
    # "YYYY-MM-DD" sorts before every "YYYY-MM-DD#task" and "YYYY-MM-DD$" after them.
    if first is not None and first == last:
        return Sort("begins", keys.task_date_prefix(first))
    if first is not None and last is not None:
        return Sort("between", first.isoformat(), f"{last.isoformat()}$")
    if first is not None:
        return Sort(">=", first.isoformat())
    if last is not None:
        return Sort("<=", f"{last.isoformat()}$")
    return None


def _progress_dates(first: date | None, last: date | None) -> Sort | None:
    if first is not None and first == last:
        return Sort("=", first.isoformat())
    if first is not None and last is not None:
        return Sort("between", first.isoformat(), last.isoformat())
    if first is not None:
        return Sort(">=", first.isoformat())
    if last is not None:
        return Sort("<=", last.isoformat())
    return None


class Layout(ABC):
    """One storage layout of a stage: tables, keys, indexes and entity dispatch."""

    name: ClassVar[str]

    def __init__(self, stage: str, shards: int) -> None:
        if shards < 1:
            raise ValueError(f"shards must be at least 1, got {shards}")
        self.stage = stage
        self.shards = shards

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stage={self.stage!r}, shards={self.shards})"

    # --- tables ------------------------------------------------------------------------------

    @abstractmethod
    def tables(self) -> tuple[Table, ...]:
        """The definitions of the layout's tables."""

    @abstractmethod
    def physical(self, table: Table) -> str:
        """The physical name of one of the layout's tables in this stage."""

    @abstractmethod
    def table(self, entity: str) -> str:
        """The physical table holding the items of `entity`."""

    def table_names(self) -> list[str]:
        """Every physical table of the layout in this stage."""
        return [self.physical(table) for table in self.tables()]

    # --- keys --------------------------------------------------------------------------------

    @abstractmethod
    def key(self, entity: str, owner: str, sort: str | None = None) -> Item:
        """The key of an item: `owner` is the user id (the email of a reservation, the version
        of a migration), `sort` the item's sort value for entities that have one."""

    @abstractmethod
    def key_attribute(self, entity: str) -> str:
        """A key attribute every stored item of `entity` has (for exists/absent conditions)."""

    @abstractmethod
    def key_names(self, entity: str) -> tuple[str, ...]:
        """The key attribute names of the entity's items (partition, then sort if any)."""

    def key_of(self, entity: str, item: Mapping[str, Any]) -> Item:
        """The key attributes of a stored item."""
        return {name: item[name] for name in self.key_names(entity)}

    def user_key(self, user_id: str) -> Item:
        return self.key(keys.USERS, user_id)

    def limits_key(self, user_id: str) -> Item:
        return self.key(keys.USER_LIMITS, user_id)

    def email_key(self, email: str) -> Item:
        return self.key(keys.EMAIL_RESERVATION, email)

    def subscription_key(self, user_id: str, subscription_id: str) -> Item:
        return self.key(keys.SUBSCRIPTIONS, user_id, subscription_id)

    def assessment_key(self, user_id: str, assessment_id: str) -> Item:
        return self.key(keys.ASSESSMENTS, user_id, assessment_id)

    def plan_key(self, user_id: str, plan_id: str) -> Item:
        return self.key(keys.PLANS, user_id, plan_id)

    def task_key(self, user_id: str, task_date: date, task_id: str) -> Item:
        return self.key(keys.CALENDAR_TASKS, user_id, keys.task_sort_key(task_date, task_id))

    def progress_key(self, user_id: str, day: date) -> Item:
        return self.key(keys.PROGRESS, user_id, day.isoformat())

    def migration_key(self, version: str) -> Item:
        return self.key(keys.MIGRATIONS, version)

    def key_from(self, entity: str, attributes: Mapping[str, Any]) -> Item:
        """The key of an entity's item, from its documented attributes."""
        if entity == keys.MIGRATIONS:
            return self.key(entity, get_s(attributes, "version"))
        owner = get_s(attributes, "user_id")
        if entity in (keys.USERS, keys.USER_LIMITS):
            return self.key(entity, owner)
        return self.key(entity, owner, sort_value(entity, attributes))

    # --- items -------------------------------------------------------------------------------

    @abstractmethod
    def index_values(self, entity: str, attributes: Mapping[str, Any]) -> IndexValues:
        """The index key attributes an item of `entity` with these documented attributes
        carries; None for a sparse one it must not carry (removed in the same write)."""

    @abstractmethod
    def storage_attributes(self, entity: str) -> tuple[str, ...]:
        """Attributes the layout adds to the entity's items that are not documented ones."""

    def marker(self, entity: str) -> Item:
        """Attributes naming the entity on its items (none where the table names it)."""
        del entity
        return {}

    def stored(self, entity: str, attributes: Mapping[str, Any], key: Item | None = None) -> Item:
        """The item as stored: the documented attributes, the key, the entity marker and the
        index keys that apply (`key` when it cannot be derived from the attributes)."""
        item: Item = dict(attributes)
        item.update(self.key_from(entity, attributes) if key is None else key)
        item.update(self.marker(entity))
        indexes = self.index_values(entity, attributes)
        item.update({name: value for name, value in indexes.items() if value is not None})
        return item

    def documented(self, entity: str, item: Mapping[str, Any]) -> Item:
        """The item without the attributes the layout added (what an export shows)."""
        dropped = set(self.storage_attributes(entity))
        return {name: value for name, value in item.items() if name not in dropped}

    @abstractmethod
    def entity_of(self, table: str, item: Mapping[str, Any]) -> str | None:
        """The entity of an item read from physical table `table`; None if not one of ours."""

    @abstractmethod
    def entity_of_table(self, table: str) -> str | None:
        """The entity a physical table holds when it holds one (multi), else None."""

    # --- one user's items --------------------------------------------------------------------

    @abstractmethod
    def of_user(self, entity: str, user_id: str, sort: Sort | None = None) -> Request:
        """A consistent Query of the user's items of `entity` in sort-value order."""

    def dated(
        self,
        entity: str,
        user_id: str,
        first: date | None,
        last: date | None,
        *,
        newest_first: bool = False,
    ) -> Request:
        """A consistent Query of the user's tasks or progress items dated first..last inclusive
        (None: open-ended), oldest date first or newest first. The items of one date come in no
        promised order; a layout that keeps other items among them filters them out."""
        if entity == keys.CALENDAR_TASKS:
            sort = _task_dates(first, last)
        elif entity == keys.PROGRESS:
            sort = _progress_dates(first, last)
        else:
            raise ValueError(f"{entity} items are not dated")
        request = self.of_user(entity, user_id, sort)
        if newest_first:
            request["ScanIndexForward"] = False
        return request

    @property
    def items_per_date(self) -> int:
        """How many items a `dated` Query reads per date, at most as a rule: what page sizes
        of dated reads are multiplied by."""
        return 1

    def user_days(self, user_id: str) -> Request | None:
        """One consistent Query reading the user's profile first, then every task and progress
        item, newest date first; None when the layout keeps them apart."""
        del user_id
        return None

    def user_span(self, user_id: str, entities: Collection[str]) -> Request | None:
        """One consistent Query reading every item of the user of these entities (and perhaps
        a few small items of others), or None when the layout keeps them apart."""
        del user_id, entities
        return None

    @abstractmethod
    def user_reads(self, user_id: str) -> Sequence[tuple[str | None, Request]]:
        """The consistent Queries that read every item of a user (export and erasure), each
        with the entity it reads, or None when its items name their entity."""

    # --- indexes -----------------------------------------------------------------------------

    @abstractmethod
    def by_email(self, email: str) -> Request:
        """Users by normalised email (eventually consistent)."""

    @abstractmethod
    def by_customer(self, customer_id: str) -> Request:
        """Subscriptions by Stripe customer (eventually consistent)."""

    @abstractmethod
    def by_test(self, test_id: int, shard: int, since: str | None) -> Request:
        """One shard of all users' attempts of a test, oldest first, created at or after since."""

    @abstractmethod
    def by_month(self, month_key: str, shard: int, since: str | None) -> Request:
        """One shard of all users' attempts of a month, oldest first."""

    @abstractmethod
    def active_plans(self, shard: int) -> Request:
        """One shard of all users' active plans, oldest first."""

    @abstractmethod
    def open_tasks(self, task_date: date, shard: int, since: str | None) -> Request:
        """One shard of all users' uncompleted tasks of a date, in creation order."""

    @abstractmethod
    def open_marker(self) -> str:
        """The attribute only uncompleted tasks carry (the sparse key of `open_tasks`)."""

    @abstractmethod
    def assessments_by_time(self, user_id: str, since: str | None, until: str | None) -> Request:
        """The user's attempts by creation time within [since, until] (either may be open);
        consistent where the index allows it."""

    @abstractmethod
    def assessments_since(self, user_id: str, since: str) -> Request:
        """A consistent Query of the user's attempts created at or after `since`."""

    @abstractmethod
    def streaks(self, user_id: str) -> Request:
        """The user's progress items by streak, lowest first (eventually consistent)."""

    # --- the migrations ledger ---------------------------------------------------------------

    @abstractmethod
    def migrations_read(self) -> tuple[Literal["Scan", "Query"], Request]:
        """The one read that lists every recorded migration."""


# Documented attributes holding an entity's sort value (tasks combine date and id).
_SORT_ATTRIBUTE: Mapping[str, str] = {
    keys.SUBSCRIPTIONS: "subscription_id",
    keys.ASSESSMENTS: "assessment_id",
    keys.PLANS: "plan_id",
    keys.PROGRESS: "date",
}


def sort_value(entity: str, attributes: Mapping[str, Any]) -> str:
    """An item's place among one user's items of its entity, from its documented attributes
    (the documented sort key; `YYYY-MM-DD#task_id` for tasks; "" where there is one item)."""
    if entity == keys.CALENDAR_TASKS:
        return f"{get_s(attributes, 'task_date')}#{get_s(attributes, 'task_id')}"
    if entity in _SORT_ATTRIBUTE:
        return get_s(attributes, _SORT_ATTRIBUTE[entity])
    return ""


def layout_for(name: str, stage: str, shards: int) -> Layout:
    """The layout called `name` (`multi` or `single`) for a stage."""
    from adapters.dynamodb.layout_multi import MultiLayout
    from adapters.dynamodb.layout_single import SingleLayout

    if name == MultiLayout.name:
        return MultiLayout(stage, shards)
    if name == SingleLayout.name:
        return SingleLayout(stage, shards)
    raise ValueError(f"unknown table layout {name!r}: expected one of {', '.join(LAYOUTS)}")
