"""What one TransactWriteItems costs on the embedded server as its table grows.

One table filled to 0, 5,000 and 20,000 items; at each size the median of a two-item
transaction (a conditional update and a put), with the undo-log replacement the embedded server
installs (infra/moto_transactions.py) and with moto's own code, which deep-copies the table.
Figures are ratios to the empty table measured in the same run. Run:

    .venv/bin/python -m benchmarks.transactions [--sizes 0,5000,20000] [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from infra import moto_transactions
from infra.embedded import EmbeddedDynamoDB

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_BATCH = 25
_PAD = "x" * 200  # items about the size of a calendar task


def _fill(client: DynamoDBClient, table: str, start: int, stop: int) -> None:
    for first in range(start, stop, _BATCH):
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": f"user#{n}"}, "pad": {"S": _PAD}}}}
            for n in range(first, min(first + _BATCH, stop))
        ]
        client.batch_write_item(RequestItems={table: requests})  # type: ignore[dict-item]


def _transaction(client: DynamoDBClient, table: str) -> Callable[[], None]:
    counter = {"pk": {"S": f"counter#{uuid.uuid4().hex}"}}
    client.put_item(TableName=table, Item={**counter, "n": {"N": "0"}})

    def run() -> None:
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": counter,
                        "UpdateExpression": "SET n = n + :one",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {"pk": {"S": f"tx#{uuid.uuid4().hex}"}}}},
            ]
        )

    return run


def _median_ms(run: Callable[[], None], runs: int) -> float:
    run()  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(sizes: list[int], runs: int) -> list[tuple[int, float, float]]:
    """(items, undo-log ms, moto's own ms) per table size, in the order of `sizes`."""
    rows = []
    with EmbeddedDynamoDB() as server:
        client = server.client()
        table = "bench-transactions"
        client.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        filled = 0
        for size in sorted(sizes):
            _fill(client, table, filled, size)
            filled = max(filled, size)
            run = _transaction(client, table)
            ours = _median_ms(run, runs)
            moto_transactions.restore()
            try:
                theirs = _median_ms(run, max(3, runs // 6))
            finally:
                moto_transactions.apply()
            rows.append((size, ours, theirs))
    return rows


def render(rows: list[tuple[int, float, float]]) -> str:
    base_ours, base_theirs = rows[0][1], rows[0][2]
    lines = [
        "| items in the table | transaction (undo log) | × empty | moto's own | × empty |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, ours, theirs in rows:
        lines.append(
            f"| {size:,} | {ours:.1f} ms | {ours / base_ours:.2f} | {theirs:.1f} ms | "
            f"{theirs / base_theirs:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,5000,20000", help="comma-separated item counts")
    parser.add_argument("--runs", type=int, default=30, help="transactions timed per size")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    print(render(measure(sizes, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
