"""Table and index definitions, and creating them: each layout (adapters/dynamodb/layout*.py)
declares its tables with these, and `flowlogic tables create`, the embedded local server, the
tests and the deployment template all read them from the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from adapters.dynamodb.layout import Layout

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
    client: DynamoDBClient,
    layout: Layout,
    tables: Sequence[Table] | None = None,
    wait: bool = True,
) -> list[str]:
    """Create the layout's tables (or those of `tables`) that do not exist yet, wait until all
    are active.

    Returns the names it created; running it again creates nothing.
    """
    tables = layout.tables() if tables is None else tables
    existing = set(_all_table_names(client))
    created: list[str] = []
    for table in tables:
        name = layout.physical(table)
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
                TableName=layout.physical(table), WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
    return created


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
