"""The embedded DynamoDB's tables and items as plain JSON, and back (moto keeps no files).

`dump()` reads moto's in-process backends (every account and region a client used) and returns
each table's definition and its items in DynamoDB's wire format; `load()` recreates them. It
works on moto's objects directly, under the embedded server's request lock, so a dump is one
consistent moment and loading 20,000 items costs no HTTP round trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Bumped when the shape below changes; load() refuses other versions.
FORMAT = 1


def _backends() -> Iterator[tuple[str, str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    for account, regions in list(dynamodb_backends.items()):
        for region, backend in list(regions.items()):
            yield account, region, backend


def _rows(table: Any) -> Iterator[Any]:
    for value in table.items.values():
        if table.range_key_attr is not None:
            yield from value.values()
        else:
            yield value


def _definition(table: Any) -> dict[str, Any]:
    provisioned = table.billing_mode != "PAY_PER_REQUEST"
    throughput = {
        "ReadCapacityUnits": table.throughput["ReadCapacityUnits"],
        "WriteCapacityUnits": table.throughput["WriteCapacityUnits"],
    }
    return {
        "name": table.name,
        "schema": table.schema,
        "attr": table.attr,
        "billing_mode": table.billing_mode,
        "throughput": throughput if provisioned else None,
        "global_indexes": [
            {
                "IndexName": index.name,
                "KeySchema": index.schema,
                "Projection": index.projection,
                **({"ProvisionedThroughput": index.throughput} if provisioned else {}),
            }
            for index in table.global_indexes
        ],
        "indexes": [index.describe() for index in table.indexes],
        "streams": table.stream_specification,
        "ttl": table.ttl,
        "tags": table.tags,
        "items": [item.to_json()["Attributes"] for item in _rows(table)],
    }


def dump() -> dict[str, Any]:
    """Every table of every account and region: definitions and items."""
    backends = []
    for account, region, backend in _backends():
        if backend.tables:
            tables = [_definition(table) for table in backend.tables.values()]
            backends.append({"account": account, "region": region, "tables": tables})
    return {"format": FORMAT, "backends": backends}


def load(state: dict[str, Any]) -> int:
    """Recreate the dumped tables and items in moto's (empty) backends; returns the item count.

    Raises ValueError for a state of another format.
    """
    from moto.dynamodb.models import dynamodb_backends

    if state.get("format") != FORMAT:
        raise ValueError(f"unknown DynamoDB snapshot format {state.get('format')!r}")
    count = 0
    for entry in state["backends"]:
        backend = dynamodb_backends[entry["account"]][entry["region"]]
        for saved in entry["tables"]:
            backend.tables.pop(saved["name"], None)
            table = backend.create_table(
                saved["name"],
                schema=saved["schema"],
                throughput=saved["throughput"],
                attr=saved["attr"],
                global_indexes=saved["global_indexes"],
                indexes=saved["indexes"],
                streams=saved["streams"],
                billing_mode=saved["billing_mode"],
                sse_specification=None,
                tags=saved["tags"],
                deletion_protection_enabled=None,
                warm_throughput=None,
            )
            table.ttl = saved["ttl"]
            # Loading is not a write: it must not show up as stream records.
            shard, table.stream_shard = table.stream_shard, None
            try:
                for attributes in saved["items"]:
                    table.put_item(attributes)
            finally:
                table.stream_shard = shard
            count += len(saved["items"])
    return count
