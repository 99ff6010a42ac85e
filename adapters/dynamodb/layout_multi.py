"""The eight-table layout: one table per documented entity, keyed by the documented attributes.

Deviations from the seed schema are recorded in docs/decisions/050-index-keys.md; the one index
the schema does not name (`created-index`, local) in 081-assessments-by-time-local-index.md.
The email reservation lives in the users table under `user_id = EMAIL#<email>`, a key no user
id can take since user ids never contain `#` (decision 121).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item, get_bool, get_date, get_int, get_s, s
from adapters.dynamodb.layout import IndexValues, Layout, Request, Sort
from adapters.dynamodb.tables import Index, KeyType, Table

# Index names are the schema's; the key attributes of the shared-key indexes are sharded
# extension attributes (docs/decisions/050-index-keys.md).
EMAIL_INDEX = "email-index"
STRIPE_CUSTOMER_INDEX = "stripe-customer-index"
TEST_TYPE_INDEX = "test-type-index"
MONTH_INDEX = "month-index"
ACTIVE_INDEX = "active-index"
DATE_INDEX = "date-index"
STREAK_INDEX = "streak-index"
# Not in the schema: a local index (user_id, created_at) for a user's attempts newest first
# (docs/decisions/081-assessments-by-time-local-index.md).
CREATED_INDEX = "created-index"

TEST_SHARD = "test_shard"
MONTH_SHARD = "month_shard"
ACTIVE_SHARD = "active_shard"
DATE_SHARD = "date_shard"
TASK_SORT_KEY = "task_date_task_id"

EMAIL_RESERVATION_PREFIX = "EMAIL#"

S: KeyType = "S"
N: KeyType = "N"

TABLES: tuple[Table, ...] = (
    Table(keys.USERS, ("user_id", S), indexes=(Index(EMAIL_INDEX, ("email", S)),)),
    Table(
        keys.SUBSCRIPTIONS,
        ("user_id", S),
        ("subscription_id", S),
        indexes=(Index(STRIPE_CUSTOMER_INDEX, ("stripe_customer_id", S)),),
    ),
    Table(
        keys.ASSESSMENTS,
        ("user_id", S),
        ("assessment_id", S),
        indexes=(
            Index(TEST_TYPE_INDEX, (TEST_SHARD, S), ("created_at", S)),
            Index(MONTH_INDEX, (MONTH_SHARD, S), ("created_at", S)),
            Index(CREATED_INDEX, ("user_id", S), ("created_at", S), local=True),
        ),
    ),
    Table(
        keys.PLANS,
        ("user_id", S),
        ("plan_id", S),
        indexes=(Index(ACTIVE_INDEX, (ACTIVE_SHARD, S), ("created_at", S)),),
    ),
    Table(
        keys.CALENDAR_TASKS,
        ("user_id", S),
        (TASK_SORT_KEY, S),
        indexes=(Index(DATE_INDEX, (DATE_SHARD, S), ("created_at", S)),),
    ),
    Table(
        keys.PROGRESS,
        ("user_id", S),
        ("date", S),
        indexes=(Index(STREAK_INDEX, ("user_id", S), ("streak", N)),),
    ),
    Table(keys.USER_LIMITS, ("user_id", S)),
    Table(keys.MIGRATIONS, ("version", S), stream=False),
)

_DEFINITIONS = {table.logical: table for table in TABLES}
# Each entity's table (the reservation shares the users table).
_HOME = {**{logical: logical for logical in keys.ALL_TABLES}, keys.EMAIL_RESERVATION: keys.USERS}
_NOT_DOCUMENTED: Mapping[str, tuple[str, ...]] = {
    keys.ASSESSMENTS: (TEST_SHARD, MONTH_SHARD),
    keys.PLANS: (ACTIVE_SHARD,),
    keys.CALENDAR_TASKS: (DATE_SHARD, TASK_SORT_KEY),
}


def table_by_logical(logical: str) -> Table:
    """The definition of one of the eight tables."""
    return _DEFINITIONS[logical]


class MultiLayout(Layout):
    """The eight documented tables `flowlogic-{stage}-{table}` (the default layout)."""

    name = "multi"

    def tables(self) -> tuple[Table, ...]:
        return TABLES

    def physical(self, table: Table) -> str:
        return f"flowlogic-{self.stage}-{table.logical}"

    def table(self, entity: str) -> str:
        return self.physical(_DEFINITIONS[_HOME[entity]])

    def key(self, entity: str, owner: str, sort: str | None = None) -> Item:
        if entity == keys.EMAIL_RESERVATION:
            return {"user_id": s(EMAIL_RESERVATION_PREFIX + owner)}
        definition = _DEFINITIONS[_HOME[entity]]
        key: Item = {definition.partition[0]: s(owner)}
        if definition.sort is not None:
            if sort is None:
                raise ValueError(f"an item of {entity} needs a sort value")
            key[definition.sort[0]] = s(sort)
        return key

    def key_attribute(self, entity: str) -> str:
        definition = _DEFINITIONS[_HOME[entity]]
        return (definition.sort or definition.partition)[0]

    def key_names(self, entity: str) -> tuple[str, ...]:
        definition = _DEFINITIONS[_HOME[entity]]
        return (definition.partition[0], *([definition.sort[0]] if definition.sort else []))

    def index_values(self, entity: str, attributes: Mapping[str, Any]) -> IndexValues:
        if entity == keys.ASSESSMENTS:
            shard = keys.shard_of(get_s(attributes, "user_id"), self.shards)
            test_id = get_int(attributes, "test_id")
            return {
                TEST_SHARD: s(keys.test_shard_value(test_id, shard)),
                MONTH_SHARD: s(keys.month_shard_value(get_s(attributes, "month_key"), shard)),
            }
        if entity == keys.PLANS:
            shard = keys.shard_of(get_s(attributes, "user_id"), self.shards)
            active = get_bool(attributes, "is_active")
            return {ACTIVE_SHARD: s(keys.active_shard_value(shard)) if active else None}
        if entity == keys.CALENDAR_TASKS:
            shard = keys.shard_of(get_s(attributes, "user_id"), self.shards)
            value = keys.date_shard_value(get_date(attributes, "task_date"), shard)
            return {DATE_SHARD: None if get_bool(attributes, "completed") else s(value)}
        return {}

    def storage_attributes(self, entity: str) -> tuple[str, ...]:
        return _NOT_DOCUMENTED.get(entity, ())

    def entity_of(self, table: str, item: Mapping[str, Any]) -> str | None:
        entity = self.entity_of_table(table)
        if entity == keys.USERS and not _is_user(item):
            return keys.EMAIL_RESERVATION
        return entity

    def entity_of_table(self, table: str) -> str | None:
        prefix = f"flowlogic-{self.stage}-"
        logical = table.removeprefix(prefix)
        return logical if table.startswith(prefix) and logical in _DEFINITIONS else None

    def of_user(self, entity: str, user_id: str, sort: Sort | None = None) -> Request:
        definition = _DEFINITIONS[_HOME[entity]]
        request: Request = {
            "TableName": self.physical(definition),
            "KeyConditionExpression": "#user = :user",
            "ExpressionAttributeNames": {"#user": "user_id"},
            "ExpressionAttributeValues": {":user": s(user_id)},
            "ConsistentRead": True,
        }
        if sort is not None:
            assert definition.sort is not None
            condition, values = sort.render()
            request["KeyConditionExpression"] += f" AND {condition}"
            request["ExpressionAttributeNames"]["#sk"] = definition.sort[0]
            request["ExpressionAttributeValues"].update(values)
        return request

    def user_reads(self, user_id: str) -> Sequence[tuple[str | None, Request]]:
        return [(entity, self.of_user(entity, user_id)) for entity in keys.USER_TABLES]

    def by_email(self, email: str) -> Request:
        return _equals(self.table(keys.USERS), EMAIL_INDEX, "email", email)

    def by_customer(self, customer_id: str) -> Request:
        table = self.table(keys.SUBSCRIPTIONS)
        return _equals(table, STRIPE_CUSTOMER_INDEX, "stripe_customer_id", customer_id)

    def by_test(self, test_id: int, shard: int, since: str | None) -> Request:
        value = keys.test_shard_value(test_id, shard)
        return _since(self.table(keys.ASSESSMENTS), TEST_TYPE_INDEX, TEST_SHARD, value, since)

    def by_month(self, month_key: str, shard: int, since: str | None) -> Request:
        value = keys.month_shard_value(month_key, shard)
        return _since(self.table(keys.ASSESSMENTS), MONTH_INDEX, MONTH_SHARD, value, since)

    def active_plans(self, shard: int) -> Request:
        value = keys.active_shard_value(shard)
        return _since(self.table(keys.PLANS), ACTIVE_INDEX, ACTIVE_SHARD, value, None)

    def open_tasks(self, task_date: date, shard: int, since: str | None) -> Request:
        value = keys.date_shard_value(task_date, shard)
        return _since(self.table(keys.CALENDAR_TASKS), DATE_INDEX, DATE_SHARD, value, since)

    def open_marker(self) -> str:
        return DATE_SHARD

    def assessments_by_time(self, user_id: str, since: str | None, until: str | None) -> Request:
        request = _equals(self.table(keys.ASSESSMENTS), CREATED_INDEX, "user_id", user_id)
        request["ConsistentRead"] = True  # a local index reads consistently
        return _bounded(request, "created_at", since, until)

    def assessments_since(self, user_id: str, since: str) -> Request:
        return self.assessments_by_time(user_id, since, None)

    def streaks(self, user_id: str) -> Request:
        return _equals(self.table(keys.PROGRESS), STREAK_INDEX, "user_id", user_id)

    def migrations_read(self) -> tuple[Literal["Scan", "Query"], Request]:
        # The one Scan of the adapter: a few dozen items keyed by version alone (decision 067).
        return "Scan", {"TableName": self.table(keys.MIGRATIONS), "ConsistentRead": True}


def _is_user(item: Mapping[str, Any]) -> bool:
    """A user, not an email reservation (keyed by a user id no user can have)."""
    return not get_s(item, "user_id").startswith(EMAIL_RESERVATION_PREFIX)


def _equals(table: str, index: str, attribute: str, value: str) -> Request:
    return {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": attribute},
        "ExpressionAttributeValues": {":pk": s(value)},
    }


def _since(table: str, index: str, attribute: str, value: str, since: str | None) -> Request:
    return _bounded(_equals(table, index, attribute, value), "created_at", since, None)


def _bounded(request: Request, attribute: str, since: str | None, until: str | None) -> Request:
    """The request with `since <= attribute <= until` on the index sort key (either open)."""
    if since is None and until is None:
        return request
    request["ExpressionAttributeNames"]["#sk"] = attribute
    values = request["ExpressionAttributeValues"]
    if since is not None and until is not None:
        condition = "#sk BETWEEN :since AND :until"
        values.update({":since": s(since), ":until": s(until)})
    elif since is not None:
        condition = "#sk >= :since"
        values[":since"] = s(since)
    else:
        assert until is not None
        condition = "#sk <= :until"
        values[":until"] = s(until)
    request["KeyConditionExpression"] += f" AND {condition}"
    return request
