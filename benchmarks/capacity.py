"""Read and write capacity per use case, and the DynamoDB cost of one monthly active user.

The embedded server does not report consumed capacity correctly, so units are computed from
the items themselves (benchmarks/item_size.py): every request of a use case is recorded with a
botocore hook; item sizes before and after each update or delete are read by a second client
that is not metered. Index writes are counted for every GSI whose key the item carries
(all indexes project ALL attributes, so an index write costs what the table write costs).
"""

from __future__ import annotations

import argparse
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.dynamodb.layout_multi import TABLES
from adapters.dynamodb.tables import Table
from benchmarks.item_size import item_size, read_units, write_units
from benchmarks.journey import local_bench, run_journey
from infra.embedded import make_client

Item = Mapping[str, Any]

# us-east-1 on-demand prices in USD, as published after the 2024-11-01 price reduction
# (checked 2026-11-25): write request unit, read request unit, storage, point-in-time recovery.
PRICE_PER_MILLION_WRU = 0.625
PRICE_PER_MILLION_RRU = 0.125
PRICE_PER_GB_MONTH = 0.25
PRICE_PITR_PER_GB_MONTH = 0.20

# A typical month of one active user (assumptions, stated in the README).
MONTH: dict[str, float] = {
    "get_profile": 30,  # the app opens once a day
    "record_login": 30,
    "get_limits": 13,
    "start_attempt": 13,  # 3 movement tests a week
    "complete_attempt": 12,
    "fail_attempt": 1,
    "list_assessments": 8,
    "get_assessment": 13,
    "generate_plan": 1,  # one plan regeneration a month
    "get_active_plan": 30,
    "schedule_calendar": 2,  # two 14-day windows
    "list_tasks": 30,
    "set_task_completion": 240,  # 8 tasks a day, all done
    "get_progress": 30,
    "top_streaks": 4,
    "apply_payment_event": 2,  # the monthly renewal: subscription updated, invoice
    "list_subscriptions": 1,
}


def _table_of(physical: str) -> Table:
    return next(t for t in TABLES if physical.endswith(f"-{t.logical}"))


def _index_writes(table: Table, before: Item | None, after: Item | None) -> int:
    units = 0
    for index in table.indexes:
        names = [index.partition[0]] + ([index.sort[0]] if index.sort else [])
        had = before is not None and all(n in before for n in names)
        has = after is not None and all(n in after for n in names)
        if has:
            units += write_units(item_size(after or {}))
        if had and (not has or any(before[n] != (after or {}).get(n) for n in names)):  # type: ignore[index]
            units += write_units(item_size(before or {}))
    return units


@dataclass
class Usage:
    read: float = 0.0
    write: float = 0.0
    requests: int = 0


@dataclass
class _Pending:
    operation: str
    params: dict[str, Any]
    before: dict[tuple[str, str], Item | None] = field(default_factory=dict)


class CapacityMeter:
    """Computes the read and write units of every request a client makes while recording."""

    def __init__(self, client: Any, endpoint: str, region: str) -> None:
        self._probe = make_client(endpoint, region)
        self._lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self.usage = Usage()
        self.active = False
        client.meta.events.register("provide-client-params.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _get(self, table: str, key: Item) -> Item | None:
        found = self._probe.get_item(TableName=table, Key=key, ConsistentRead=True)
        item: Item | None = found.get("Item")
        return item

    def _key_of(self, table: str, item: Item) -> dict[str, Any]:
        spec = _table_of(table)
        names = [spec.partition[0]] + ([spec.sort[0]] if spec.sort else [])
        return {n: item[n] for n in names}

    def _writes(self, op: str, params: Mapping[str, Any]) -> list[tuple[str, str, Item]]:
        """(kind, table, key or item) of every item a write request touches."""
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            kind = op.removesuffix("Item")
            return [(kind, params["TableName"], params.get("Item") or params["Key"])]
        found: list[tuple[str, str, Item]] = []
        if op == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                found.append((kind, body["TableName"], body.get("Item") or body["Key"]))
        if op == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        found.append(("Put", table, request["PutRequest"]["Item"]))
                    else:
                        found.append(("Delete", table, request["DeleteRequest"]["Key"]))
        return found

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.active:
            return
        pending = _Pending(model.name, dict(params))
        for kind, table, data in self._writes(model.name, params):
            key = self._key_of(table, data)
            pending.before[(table, repr(sorted(key.items())))] = self._get(table, key)
            del kind
        with self._lock:
            self._pending[threading.get_ident()] = pending

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        with self._lock:
            pending = self._pending.pop(threading.get_ident(), None)
        if pending is None:
            return
        self.usage.requests += 1
        self.usage.read += self._reads(pending.operation, pending.params, parsed)
        transactional = pending.operation == "TransactWriteItems"
        for kind, table, data in self._writes(pending.operation, pending.params):
            key = self._key_of(table, data)
            before = pending.before.get((table, repr(sorted(key.items()))))
            after = None if kind == "Delete" else self._get(table, key)
            if kind == "ConditionCheck":
                self.usage.write += write_units(item_size(before or {}), transactional=True)
                continue
            biggest = max(item_size(before or {}), item_size(after or {}))
            self.usage.write += write_units(biggest, transactional=transactional)
            self.usage.write += _index_writes(_table_of(table), before, after)

    @staticmethod
    def _reads(op: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> float:
        consistent = bool(params.get("ConsistentRead"))
        if op == "GetItem":
            return read_units(item_size(parsed.get("Item", {})), consistent=consistent)
        if op in ("Query", "Scan"):
            size = sum(item_size(i) for i in parsed.get("Items", []))
            return read_units(size, consistent=consistent)
        if op == "BatchGetItem":
            total = 0.0
            for table, items in parsed.get("Responses", {}).items():
                strong = bool(params["RequestItems"][table].get("ConsistentRead"))
                total += sum(read_units(item_size(i), consistent=strong) for i in items)
            return total
        if op == "TransactGetItems":
            items = [r.get("Item", {}) for r in parsed.get("Responses", [])]
            return sum(read_units(item_size(i), consistent=True, transactional=True) for i in items)
        return 0.0


def measure(users: int) -> dict[str, Usage]:
    bench = local_bench()
    resources = bench.container.dynamodb()
    meter = CapacityMeter(resources.client(), resources.endpoint or "", "us-east-1")
    totals: dict[str, list[Usage]] = defaultdict(list)

    def step(name: str, action: Callable[[], Any]) -> Any:
        meter.usage, meter.active = Usage(), True
        try:
            return action()
        finally:
            meter.active = False
            totals[name].append(meter.usage)

    for _ in range(users):
        run_journey(bench, step)
    resources.close()
    return {
        name: Usage(
            sum(u.read for u in runs) / len(runs),
            sum(u.write for u in runs) / len(runs),
            round(sum(u.requests for u in runs) / len(runs)),
        )
        for name, runs in totals.items()
    }


def render(per_use_case: dict[str, Usage]) -> str:
    lines = [
        "| use case | read units | write units | per month | monthly RRU | monthly WRU |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    month_read = month_write = 0.0
    for name, usage in per_use_case.items():
        times = MONTH.get(name, 0)
        month_read += usage.read * times
        month_write += usage.write * times
        lines.append(
            f"| {name} | {usage.read:.1f} | {usage.write:.1f} | {times:g} "
            f"| {usage.read * times:.1f} | {usage.write * times:.1f} |"
        )
    throughput = (
        month_read * PRICE_PER_MILLION_RRU + month_write * PRICE_PER_MILLION_WRU
    ) / 1_000_000
    # Storage: a year of history per active user is well under 1 MB; count 1 MB with PITR.
    storage = (PRICE_PER_GB_MONTH + PRICE_PITR_PER_GB_MONTH) / 1024
    lines += [
        "",
        f"A typical month of one active user: {month_read:,.0f} read units, "
        f"{month_write:,.0f} write units.",
        f"Throughput ${throughput:.6f} + storage and PITR of 1 MB ${storage:.6f} = "
        f"**${throughput + storage:.6f} per monthly active user** "
        f"(${(throughput + storage) * 1_000_000:,.0f} per million MAU) at us-east-1 on-demand "
        f"prices (WRU ${PRICE_PER_MILLION_WRU}/M, RRU ${PRICE_PER_MILLION_RRU}/M).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2, help="journeys to average over")
    args = parser.parse_args(argv)
    print(render(measure(args.users)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
