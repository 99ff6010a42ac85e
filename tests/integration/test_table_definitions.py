"""The table definitions of both layouts against DynamoDB's real rules, which moto does not all
enforce."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb import layout_multi as multi
from adapters.dynamodb import layout_single as single
from adapters.dynamodb.layout_multi import TABLES as MULTI_TABLES
from adapters.dynamodb.tables import Index, Table, create_table_request

# Every table of both layouts: the rules below hold for each.
TABLES = (*MULTI_TABLES, single.TABLE)

MAX_GSIS_PER_TABLE = 20
MAX_LSIS_PER_TABLE = 5


def request_of(table: Table) -> dict[str, Any]:
    return create_table_request(table, f"flowlogic-test-{table.logical}")


def key_attributes_used(request: dict[str, Any]) -> set[str]:
    used = {key["AttributeName"] for key in request["KeySchema"]}
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for index in request.get(kind, []):
            used |= {key["AttributeName"] for key in index["KeySchema"]}
    return used


def test_the_eight_tables_of_the_schema_are_defined_once_each() -> None:
    assert [t.logical for t in MULTI_TABLES] == list(keys.ALL_TABLES)
    assert len({t.logical for t in MULTI_TABLES}) == 8


def test_the_single_table_has_generic_string_keys_three_global_indexes_and_no_local_one() -> None:
    table = single.TABLE
    assert (table.partition, table.sort) == (("PK", "S"), ("SK", "S"))
    assert table.local_indexes() == ()
    assert [index.name for index in table.global_indexes()] == ["GSI1", "GSI2", "GSI3"]
    assert set(table.key_attributes().values()) == {"S"}
    assert table.stream
    assert single.SingleLayout("test", 4).table_names() == ["flowlogic-test"]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.logical)
def test_key_attributes_are_strings_numbers_or_binary_never_booleans(table: Table) -> None:
    for definition in request_of(table)["AttributeDefinitions"]:
        assert definition["AttributeType"] in {"S", "N", "B"}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.logical)
def test_every_key_attribute_is_defined_exactly_once_and_nothing_else_is(table: Table) -> None:
    request = request_of(table)
    names = [d["AttributeName"] for d in request["AttributeDefinitions"]]
    assert [name for name, count in Counter(names).items() if count > 1] == []
    # DynamoDB refuses a definition that no key schema uses, and a key left undefined.
    assert set(names) == key_attributes_used(request)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.logical)
def test_a_table_has_at_most_twenty_global_indexes_with_distinct_names(table: Table) -> None:
    indexes = request_of(table).get("GlobalSecondaryIndexes", [])
    assert len(indexes) <= MAX_GSIS_PER_TABLE
    assert len({i["IndexName"] for i in indexes}) == len(indexes)
    for index in indexes:
        assert index["KeySchema"][0]["KeyType"] == "HASH"
        assert index["Projection"] == {"ProjectionType": "ALL"}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.logical)
def test_tables_are_on_demand_and_encrypted_with_kms(table: Table) -> None:
    request = request_of(table)
    assert request["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in request
    assert request["SSESpecification"] == {"Enabled": True, "SSEType": "KMS"}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.logical)
def test_every_table_but_migrations_streams_new_and_old_images(table: Table) -> None:
    stream = request_of(table).get("StreamSpecification")
    if table.logical == keys.MIGRATIONS:
        assert stream is None
    else:
        assert stream == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_the_schemas_index_names_are_kept_as_global_indexes() -> None:
    names = {index.name for table in MULTI_TABLES for index in table.global_indexes()}
    assert names == {
        "email-index",
        "stripe-customer-index",
        "test-type-index",
        "month-index",
        "active-index",
        "date-index",
        "streak-index",
    }


def test_the_one_local_index_orders_a_users_assessments_by_time() -> None:
    local = {
        (table.logical, index.name, index.partition, index.sort)
        for table in TABLES
        for index in table.local_indexes()
    }
    assert local == {
        (keys.ASSESSMENTS, multi.CREATED_INDEX, ("user_id", "S"), ("created_at", "S")),
    }


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.logical)
def test_local_indexes_share_the_tables_partition_key_and_are_declared_with_it(
    table: Table,
) -> None:
    request = request_of(table)
    indexes = request.get("LocalSecondaryIndexes", [])
    assert len(indexes) <= MAX_LSIS_PER_TABLE
    gsi_names = {i["IndexName"] for i in request.get("GlobalSecondaryIndexes", [])}
    for index in indexes:
        assert index["IndexName"] not in gsi_names
        assert index["KeySchema"][0] == request["KeySchema"][0]
        assert [key["KeyType"] for key in index["KeySchema"]] == ["HASH", "RANGE"]
        assert index["KeySchema"][1] != request["KeySchema"][1]
        assert index["Projection"] == {"ProjectionType": "ALL"}
        assert "ProvisionedThroughput" not in index


@pytest.mark.parametrize(
    "index",
    [
        Index("by-other-partition", ("email", "S"), ("created_at", "S"), local=True),
        Index("without-sort-key", ("user_id", "S"), local=True),
    ],
    ids=lambda i: i.name,
)
def test_a_local_index_off_the_tables_partition_key_or_without_a_sort_key_is_refused(
    index: Index,
) -> None:
    with pytest.raises(ValueError, match="local index"):
        Table("t", ("user_id", "S"), ("id", "S"), indexes=(index,))


def test_a_table_without_a_sort_key_cannot_have_a_local_index() -> None:
    index = Index("by-time", ("user_id", "S"), ("created_at", "S"), local=True)
    with pytest.raises(ValueError, match="local index"):
        Table("t", ("user_id", "S"), indexes=(index,))


def test_the_shared_key_indexes_are_keyed_on_sharded_string_attributes() -> None:
    partitions = {
        index.name: index.partition for table in MULTI_TABLES for index in table.global_indexes()
    }
    assert partitions["active-index"] == (multi.ACTIVE_SHARD, "S")
    assert partitions["date-index"] == (multi.DATE_SHARD, "S")
    assert partitions["month-index"] == (multi.MONTH_SHARD, "S")
    assert partitions["test-type-index"] == (multi.TEST_SHARD, "S")
