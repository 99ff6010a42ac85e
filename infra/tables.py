"""The one definition of the eight tables, used by `flowlogic tables create`, the embedded local
server, the tests and the deployment template alike.

Deviations from the seed schema are recorded in docs/decisions/050-index-keys.md; the one index
the schema does not name (`created-index`, local) in 081-assessments-by-time-local-index.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from adapters.dynamodb import keys as k

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KeyType = Literal["S", "N", "B"]


MAX_LOCAL_INDEXES = 5


@dataclass(frozen=True, slots=True)
class Index:
    """A secondary index, projecting every attribute.

    A local index shares the table's partition key and must be declared when the table is
    created (DynamoDB cannot add one later); it keeps strongly consistent reads.
    """

    name: str
    partition: tuple[str, KeyType]
    sort: tuple[str, KeyType] | None = None
    local: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    logical: str
    partition: tuple[str, KeyType]
    sort: tuple[str, KeyType] | None = None
    indexes: tuple[Index, ...] = ()
    stream: bool = True

    def __post_init__(self) -> None:
        local = self.local_indexes()
        if len(local) > MAX_LOCAL_INDEXES:
            raise ValueError(f"{self.logical}: at most {MAX_LOCAL_INDEXES} local indexes")
        for index in local:
            if self.sort is None or index.partition != self.partition or index.sort is None:
                raise ValueError(
                    f"{self.logical}: local index {index.name} needs the table's partition key,"
                    " a sort key of its own, and a table with a sort key"
                )

    def global_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indexes if not index.local)

    def local_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indexes if index.local)

    def key_attributes(self) -> dict[str, KeyType]:
        attrs: dict[str, KeyType] = {self.partition[0]: self.partition[1]}
        if self.sort:
            attrs[self.sort[0]] = self.sort[1]
        for index in self.indexes:
            attrs[index.partition[0]] = index.partition[1]
            if index.sort:
                attrs[index.sort[0]] = index.sort[1]
        return attrs


S: KeyType = "S"
N: KeyType = "N"

TABLES: tuple[Table, ...] = (
    Table(k.USERS, ("user_id", S), indexes=(Index(k.EMAIL_INDEX, ("email", S)),)),
    Table(
        k.SUBSCRIPTIONS,
        ("user_id", S),
        ("subscription_id", S),
        indexes=(Index(k.STRIPE_CUSTOMER_INDEX, ("stripe_customer_id", S)),),
    ),
    Table(
        k.ASSESSMENTS,
        ("user_id", S),
        ("assessment_id", S),
        indexes=(
            Index(k.TEST_TYPE_INDEX, (k.TEST_SHARD, S), ("created_at", S)),
            Index(k.MONTH_INDEX, (k.MONTH_SHARD, S), ("created_at", S)),
            Index(k.CREATED_INDEX, ("user_id", S), ("created_at", S), local=True),
        ),
    ),
    Table(
        k.PLANS,
        ("user_id", S),
        ("plan_id", S),
        indexes=(Index(k.ACTIVE_INDEX, (k.ACTIVE_SHARD, S), ("created_at", S)),),
    ),
    Table(
        k.CALENDAR_TASKS,
        ("user_id", S),
        ("task_date_task_id", S),
        indexes=(Index(k.DATE_INDEX, (k.DATE_SHARD, S), ("created_at", S)),),
    ),
    Table(
        k.PROGRESS,
        ("user_id", S),
        ("date", S),
        indexes=(Index(k.STREAK_INDEX, ("user_id", S), ("streak", N)),),
    ),
    Table(k.USER_LIMITS, ("user_id", S)),
    Table(k.MIGRATIONS, ("version", S), stream=False),
)


def table_by_logical(logical: str) -> Table:
    return next(t for t in TABLES if t.logical == logical)


def create_table_request(table: Table, physical_name: str) -> dict[str, Any]:
    """The CreateTable parameters for one table (on-demand, streams, all-attribute indexes)."""
    key_schema: list[dict[str, str]] = [{"AttributeName": table.partition[0], "KeyType": "HASH"}]
    if table.sort:
        key_schema.append({"AttributeName": table.sort[0], "KeyType": "RANGE"})
    request: dict[str, Any] = {
        "TableName": physical_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in sorted(table.key_attributes().items())
        ],
        "KeySchema": key_schema,
        "SSESpecification": {"Enabled": True, "SSEType": "KMS"},
        "DeletionProtectionEnabled": False,
    }
    if table.global_indexes():
        request["GlobalSecondaryIndexes"] = [_index_request(i) for i in table.global_indexes()]
    if table.local_indexes():
        request["LocalSecondaryIndexes"] = [_index_request(i) for i in table.local_indexes()]
    if table.stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    return request


def _index_request(index: Index) -> dict[str, Any]:
    schema = [{"AttributeName": index.partition[0], "KeyType": "HASH"}]
    if index.sort:
        schema.append({"AttributeName": index.sort[0], "KeyType": "RANGE"})
    return {"IndexName": index.name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}


def create_tables(
    client: DynamoDBClient, stage: str, tables: Sequence[Table] = TABLES, wait: bool = True
) -> list[str]:
    """Create the stage's tables that do not exist yet, wait until all are active.

    Returns the names it created; running it again creates nothing.
    """
    existing = set(_all_table_names(client))
    created: list[str] = []
    for table in tables:
        name = physical_name(stage, table.logical)
        if name in existing:
            continue
        try:
            client.create_table(**create_table_request(table, name))
            created.append(name)
        except client.exceptions.ResourceInUseException:
            pass  # another runner created it between our listing and our request
    if wait:
        waiter = client.get_waiter("table_exists")
        for table in tables:
            waiter.wait(
                TableName=physical_name(stage, table.logical),
                WaiterConfig={"Delay": 1, "MaxAttempts": 60},
            )
    return created


def physical_name(stage: str, logical: str) -> str:
    return f"flowlogic-{stage}-{logical}"


def _all_table_names(client: DynamoDBClient) -> list[str]:
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_tables(**kwargs)
        names.extend(page.get("TableNames", []))
        last = page.get("LastEvaluatedTableName")
        if not last:
            return names
        kwargs = {"ExclusiveStartTableName": last}
