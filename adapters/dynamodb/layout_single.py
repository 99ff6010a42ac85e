"""The single-table layout: every entity in `flowlogic-{stage}`, generic String keys `PK`/`SK`.

Each user's items form one item collection under `PK = USER#<user_id>`, so one Query reads all
of them (export, erasure). Three overloaded global indexes, each projecting every attribute,
serve the other access patterns; sharded and sparse keys are those of the eight-table layout
(decisions 050 and 080), written with a kind prefix. No local index: it would cap an item
collection at 10 GB (docs/decisions/122-the-single-table-layout.md).

| entity            | PK                 | SK                      | GSI1PK / GSI1SK                  | GSI2PK / GSI2SK   | GSI3PK / GSI3SK                |
|-------------------|--------------------|-------------------------|----------------------------------|-------------------|--------------------------------|
| users             | USER#<id>          | PROFILE                 | EMAIL#<email> / USER             |                   |                                |
| user-limits       | USER#<id>          | LIMITS                  |                                  |                   |                                |
| subscriptions     | USER#<id>          | SUB#<subscription_id>   | CUSTOMER#<cus> / USER#<id>#SUB#… |                   |                                |
| assessments       | USER#<id>          | ASSESSMENT#<id>         | TEST#<tt>#<shard> / created_at   | MONTH#<m>#<shard> | USER#<id> / ASSESSMENT#<time>  |
| plans             | USER#<id>          | PLAN#<plan_id>          | ACTIVE#<shard> / created_at (active only)            |                                |
| calendar-tasks    | USER#<id>          | SCHEDULE#<~date>#TASK#<task_id> | OPEN#<date>#<shard> / created_at (open only) |                     |
| progress          | USER#<id>          | SCHEDULE#<~date>#PROGRESS |                                |                   | USER#<id> / STREAK#<0000000007>|
| email-reservation | EMAIL#<email>      | EMAIL                   |                                  |                   |                                |
| migrations        | MIGRATIONS         | MIGRATION#<version>     |                                  |                   |                                |

`<~date>` is the date with every digit d written 9 - d (2026-11-25 is 7973-88-74), so a user's
days sort newest first, right after the profile: one Query from `PROFILE` reads the profile, the
scheduled days and the recent past with their progress (decision 125).
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, Literal

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import (
    Item,
    get_bool,
    get_date,
    get_int,
    get_s,
    s,
)
from adapters.dynamodb.layout import IndexValues, Layout, Request, Sort, after_prefix, with_filter
from adapters.dynamodb.tables import Index, KeyType, Table

PK = "PK"
SK = "SK"
ENTITY = "entity"
GSI1 = "GSI1"
GSI2 = "GSI2"
GSI3 = "GSI3"
GSI1PK, GSI1SK = "GSI1PK", "GSI1SK"
GSI2PK, GSI2SK = "GSI2PK", "GSI2SK"
GSI3PK, GSI3SK = "GSI3PK", "GSI3SK"

USER_PREFIX = "USER#"
EMAIL_PREFIX = "EMAIL#"
MIGRATIONS_PARTITION = "MIGRATIONS"
# The sort value prefix of each entity inside a partition; constant sort keys where the entity
# has one item per partition. No prefix is a prefix of another.
SORT_PREFIX: Mapping[str, str] = {
    keys.SUBSCRIPTIONS: "SUB#",
    keys.ASSESSMENTS: "ASSESSMENT#",
    keys.PLANS: "PLAN#",
    keys.MIGRATIONS: "MIGRATION#",
}
# A user's tasks and progress share one block of days, newest date first, each date's progress
# item before its tasks: `SCHEDULE#<~date>#PROGRESS`, `SCHEDULE#<~date>#TASK#<task_id>`. The block
# sorts right after `PROFILE` (nothing sorts between them), so one Query reads both (decision 125).
DAY_PREFIX = "SCHEDULE#"
DAY_KIND: Mapping[str, str] = {keys.CALENDAR_TASKS: "TASK#", keys.PROGRESS: "PROGRESS"}
# A date's items as a rule: its progress item and the tasks of a day's plan (page sizes).
ITEMS_PER_DATE = 8
_COMPLEMENT = str.maketrans("0123456789", "9876543210")
CONSTANT_SORT: Mapping[str, str] = {
    keys.USERS: "PROFILE",
    keys.USER_LIMITS: "LIMITS",
    keys.EMAIL_RESERVATION: "EMAIL",
}
# Kinds with few items per user, between which a span Query may run (ASSESSMENT# < LIMITS <
# PLAN# < PROFILE): attempts are bounded by the test quotas, plans by regenerations.
SPANNABLE = frozenset({keys.ASSESSMENTS, keys.USER_LIMITS, keys.PLANS, keys.USERS})
STREAK_PREFIX = "STREAK#"
STREAK_DIGITS = 10

S: KeyType = "S"
TABLE = Table(
    "single",
    (PK, S),
    (SK, S),
    indexes=(
        Index(GSI1, (GSI1PK, S), (GSI1SK, S)),
        Index(GSI2, (GSI2PK, S), (GSI2SK, S)),
        Index(GSI3, (GSI3PK, S), (GSI3SK, S)),
    ),
)
_STORAGE = (PK, SK, ENTITY, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK)


def user_partition(user_id: str) -> str:
    return USER_PREFIX + user_id


def day_value(day: date) -> str:
    """A date with every digit d written 9 - d: later dates sort first."""
    return day.isoformat().translate(_COMPLEMENT)


def day_of(value: str) -> date:
    """The date a `day_value` stands for."""
    return date.fromisoformat(value.translate(_COMPLEMENT))


def _day_sort_key(entity: str, sort: str) -> str:
    """The sort key of a task (`YYYY-MM-DD#task_id`) or progress item (`YYYY-MM-DD`)."""
    day, separator, task_id = sort.partition("#")
    prefix = f"{DAY_PREFIX}{day_value(date.fromisoformat(day))}#{DAY_KIND[entity]}"
    if entity == keys.CALENDAR_TASKS:
        if not separator:
            raise ValueError("a task's sort value is YYYY-MM-DD#task_id")
        return prefix + task_id
    if separator:
        raise ValueError("a progress item's sort value is YYYY-MM-DD")
    return prefix


_USER_KINDS = (*keys.USER_TABLES,)


def _sort_range(entity: str) -> tuple[str, str]:
    """The lowest and highest sort key an entity's items can have in a user's partition."""
    if entity in CONSTANT_SORT:
        return CONSTANT_SORT[entity], CONSTANT_SORT[entity]
    prefix = DAY_PREFIX if entity in DAY_KIND else SORT_PREFIX[entity]
    return prefix, after_prefix(prefix)


class SingleLayout(Layout):
    """One table `flowlogic-{stage}` for every entity."""

    name = "single"

    def tables(self) -> tuple[Table, ...]:
        return (TABLE,)

    def physical(self, table: Table) -> str:
        return f"flowlogic-{self.stage}"

    def table(self, entity: str) -> str:
        if entity not in keys.ENTITIES:
            raise KeyError(entity)
        return self.physical(TABLE)

    def key(self, entity: str, owner: str, sort: str | None = None) -> Item:
        if entity == keys.EMAIL_RESERVATION:
            partition = EMAIL_PREFIX + owner
        elif entity == keys.MIGRATIONS:
            partition, sort = MIGRATIONS_PARTITION, owner
        else:
            partition = user_partition(owner)
        if entity in CONSTANT_SORT:
            sort_key = CONSTANT_SORT[entity]
        elif sort is None:
            raise ValueError(f"an item of {entity} needs a sort value")
        elif entity in DAY_KIND:
            sort_key = _day_sort_key(entity, sort)
        else:
            sort_key = SORT_PREFIX[entity] + sort
        return {PK: s(partition), SK: s(sort_key)}

    def key_attribute(self, entity: str) -> str:
        return SK

    def key_names(self, entity: str) -> tuple[str, ...]:
        return (PK, SK)

    def marker(self, entity: str) -> Item:
        return {ENTITY: s(entity)}

    def index_values(self, entity: str, attributes: Mapping[str, Any]) -> IndexValues:
        if entity == keys.USERS:
            return {GSI1PK: s(EMAIL_PREFIX + get_s(attributes, "email")), GSI1SK: s("USER")}
        if entity == keys.SUBSCRIPTIONS:
            owner = get_s(attributes, "user_id")
            return {
                GSI1PK: s("CUSTOMER#" + get_s(attributes, "stripe_customer_id")),
                GSI1SK: s(f"{USER_PREFIX}{owner}#SUB#{get_s(attributes, 'subscription_id')}"),
            }
        user_id = get_s(attributes, "user_id") if "user_id" in attributes else ""
        shard = keys.shard_of(user_id, self.shards)
        if entity == keys.ASSESSMENTS:
            created = get_s(attributes, "created_at")
            test = keys.test_shard_value(get_int(attributes, "test_id"), shard)
            month = keys.month_shard_value(get_s(attributes, "month_key"), shard)
            return {
                GSI1PK: s(f"TEST#{test}"),
                GSI1SK: s(created),
                GSI2PK: s(f"MONTH#{month}"),
                GSI2SK: s(created),
                GSI3PK: s(user_partition(user_id)),
                GSI3SK: s(SORT_PREFIX[keys.ASSESSMENTS] + created),
            }
        if entity == keys.PLANS:
            active = get_bool(attributes, "is_active")
            created = get_s(attributes, "created_at")
            return {
                GSI1PK: s(keys.active_shard_value(shard)) if active else None,
                GSI1SK: s(created) if active else None,
            }
        if entity == keys.CALENDAR_TASKS:
            open_ = not get_bool(attributes, "completed")
            value = keys.date_shard_value(get_date(attributes, "task_date"), shard)
            return {
                GSI1PK: s(f"OPEN#{value}") if open_ else None,
                GSI1SK: s(get_s(attributes, "created_at")) if open_ else None,
            }
        if entity == keys.PROGRESS:
            streak = get_int(attributes, "streak")
            return {
                GSI3PK: s(user_partition(user_id)),
                GSI3SK: s(f"{STREAK_PREFIX}{streak:0{STREAK_DIGITS}d}"),
            }
        return {}

    def storage_attributes(self, entity: str) -> tuple[str, ...]:
        return _STORAGE

    def entity_of(self, table: str, item: Mapping[str, Any]) -> str | None:
        if table != self.physical(TABLE):
            return None
        marker = item.get(ENTITY)
        entity = marker.get("S") if isinstance(marker, Mapping) else None
        return entity if entity in keys.ENTITIES else None

    def entity_of_table(self, table: str) -> str | None:
        return None

    def of_user(self, entity: str, user_id: str, sort: Sort | None = None) -> Request:
        if entity in DAY_KIND:
            if sort is not None:
                raise ValueError(f"{entity} items are read by date: use dated()")
            return self.dated(entity, user_id, None, None)
        prefix = SORT_PREFIX[entity]
        condition, values = (sort or Sort("begins", "")).render(prefix)
        return {
            "TableName": self.physical(TABLE),
            "KeyConditionExpression": f"#pk = :pk AND {condition}",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": s(user_partition(user_id)), **values},
            "ConsistentRead": True,
        }

    def dated(
        self,
        entity: str,
        user_id: str,
        first: date | None,
        last: date | None,
        *,
        newest_first: bool = False,
    ) -> Request:
        kind = f"{DAY_PREFIX}{{}}#{DAY_KIND[entity]}"
        request = self._partition(user_partition(user_id))
        request["ExpressionAttributeNames"]["#sk"] = SK
        if first is not None and first == last:
            # One date: its progress item, or its tasks, with no other item among them.
            operator = "#sk = :s0" if entity == keys.PROGRESS else "begins_with(#sk, :s0)"
            request["KeyConditionExpression"] += f" AND {operator}"
            request["ExpressionAttributeValues"][":s0"] = s(kind.format(day_value(first)))
            return request
        # Later dates sort first: `last` bounds the low end, `first` the high end.
        low = DAY_PREFIX + (day_value(last) if last is not None else "")
        high = after_prefix(DAY_PREFIX) if first is None else f"{DAY_PREFIX}{day_value(first)}$"
        request["KeyConditionExpression"] += " AND #sk BETWEEN :s0 AND :s1"
        request["ExpressionAttributeValues"].update({":s0": s(low), ":s1": s(high)})
        request["ScanIndexForward"] = newest_first
        # Tasks and progress items interleave: keep the entity asked for.
        names, values = {"#entity": ENTITY}, {":entity": s(entity)}
        return with_filter(request, "#entity = :entity", names, values)

    @property
    def items_per_date(self) -> int:
        return ITEMS_PER_DATE

    def user_days(self, user_id: str) -> Request | None:
        request = self._partition(user_partition(user_id))
        request["KeyConditionExpression"] += " AND #sk BETWEEN :low AND :high"
        request["ExpressionAttributeNames"]["#sk"] = SK
        request["ExpressionAttributeValues"].update(
            {":low": s(CONSTANT_SORT[keys.USERS]), ":high": s(after_prefix(DAY_PREFIX))}
        )
        request["ScanIndexForward"] = True
        return request

    def user_reads(self, user_id: str) -> Sequence[tuple[str | None, Request]]:
        return [(None, self._partition(user_partition(user_id)))]

    def user_span(self, user_id: str, entities: Collection[str]) -> Request | None:
        if not entities or not set(entities) <= SPANNABLE:
            return None
        ranges = {entity: _sort_range(entity) for entity in _USER_KINDS}
        low = min(ranges[entity][0] for entity in entities)
        high = max(ranges[entity][1] for entity in entities)
        inside = {e for e, (first, last) in ranges.items() if first <= high and last >= low}
        if not inside <= SPANNABLE:
            return None
        request = self._partition(user_partition(user_id))
        request["KeyConditionExpression"] += " AND #sk BETWEEN :low AND :high"
        request["ExpressionAttributeNames"]["#sk"] = SK
        request["ExpressionAttributeValues"].update({":low": s(low), ":high": s(high)})
        return request

    def by_email(self, email: str) -> Request:
        return self._index(GSI1, GSI1PK, EMAIL_PREFIX + email)

    def by_customer(self, customer_id: str) -> Request:
        return self._index(GSI1, GSI1PK, "CUSTOMER#" + customer_id)

    def by_test(self, test_id: int, shard: int, since: str | None) -> Request:
        value = "TEST#" + keys.test_shard_value(test_id, shard)
        return self._index(GSI1, GSI1PK, value, GSI1SK, since)

    def by_month(self, month_key: str, shard: int, since: str | None) -> Request:
        value = "MONTH#" + keys.month_shard_value(month_key, shard)
        return self._index(GSI2, GSI2PK, value, GSI2SK, since)

    def active_plans(self, shard: int) -> Request:
        return self._index(GSI1, GSI1PK, keys.active_shard_value(shard))

    def open_tasks(self, task_date: date, shard: int, since: str | None) -> Request:
        value = "OPEN#" + keys.date_shard_value(task_date, shard)
        return self._index(GSI1, GSI1PK, value, GSI1SK, since)

    def open_marker(self) -> str:
        return GSI1PK

    def assessments_by_time(self, user_id: str, since: str | None, until: str | None) -> Request:
        # A global index never reads consistently: a listing may miss an attempt started a
        # moment ago (decision 122); decisions read `assessments_since` instead.
        prefix = SORT_PREFIX[keys.ASSESSMENTS]
        request = self._index(GSI3, GSI3PK, user_partition(user_id))
        request["KeyConditionExpression"] += " AND #sk BETWEEN :low AND :high"
        request["ExpressionAttributeNames"]["#sk"] = GSI3SK
        request["ExpressionAttributeValues"].update(
            {
                ":low": s(prefix + (since or "")),
                ":high": s(prefix + until if until is not None else after_prefix(prefix)),
            }
        )
        return request

    def assessments_since(self, user_id: str, since: str) -> Request:
        # The user's attempts are few (quotas bound them): read them all, consistently, and
        # keep the recent ones, rather than read a global index that may lag.
        request = self.of_user(keys.ASSESSMENTS, user_id)
        request["FilterExpression"] = "#created >= :since"
        request["ExpressionAttributeNames"]["#created"] = "created_at"
        request["ExpressionAttributeValues"][":since"] = s(since)
        return request

    def streaks(self, user_id: str) -> Request:
        request = self._index(GSI3, GSI3PK, user_partition(user_id))
        request["KeyConditionExpression"] += " AND begins_with(#sk, :streak)"
        request["ExpressionAttributeNames"]["#sk"] = GSI3SK
        request["ExpressionAttributeValues"][":streak"] = s(STREAK_PREFIX)
        return request

    def migrations_read(self) -> tuple[Literal["Scan", "Query"], Request]:
        return "Query", self._partition(MIGRATIONS_PARTITION)

    def _partition(self, partition: str) -> Request:
        return {
            "TableName": self.physical(TABLE),
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": s(partition)},
            "ConsistentRead": True,
        }

    def _index(
        self,
        index: str,
        partition: str,
        value: str,
        sort: str | None = None,
        since: str | None = None,
    ) -> Request:
        request: Request = {
            "TableName": self.physical(TABLE),
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": partition},
            "ExpressionAttributeValues": {":pk": s(value)},
        }
        if since is not None:
            assert sort is not None
            request["KeyConditionExpression"] += " AND #sk >= :since"
            request["ExpressionAttributeNames"]["#sk"] = sort
            request["ExpressionAttributeValues"][":since"] = s(since)
        return request
