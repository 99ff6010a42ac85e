"""Read and write capacity per use case, and the DynamoDB cost of one monthly active user, on
both table layouts side by side.

The embedded server does not report consumed capacity correctly, so units are computed from
the items themselves (benchmarks/item_size.py): every request of a use case is recorded with a
botocore hook; item sizes before and after each update or delete are read by a second client
that is not metered. Index writes are counted for every index whose key the item carries
(all indexes project ALL attributes, so an index write costs what the table write costs). Item
sizes are those of the stored items, so each layout's key, index and `entity` attributes count.
Storage is measured on the journey user's items just before the export: each item plus 100
bytes of overhead, once in the table and once more in every index whose key it carries.
"""

from __future__ import annotations

import argparse
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.dynamodb.layout import LAYOUTS, Layout
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
# DynamoDB bills 100 bytes of overhead per stored item, in the table and in each index.
ITEM_OVERHEAD_BYTES = 100

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


def _index_names(table: Table) -> list[list[str]]:
    return [
        [index.partition[0]] + ([index.sort[0]] if index.sort else []) for index in table.indexes
    ]


def stored_bytes(table: Table, item: Item) -> int:
    """What one item occupies: in the table, and in each index whose key it carries."""
    size = item_size(item) + ITEM_OVERHEAD_BYTES
    copies = sum(1 for names in _index_names(table) if all(n in item for n in names))
    return size * (1 + copies)


def _index_writes(table: Table, before: Item | None, after: Item | None) -> int:
    units = 0
    for names in _index_names(table):
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

    def __init__(self, client: Any, endpoint: str, region: str, layout: Layout) -> None:
        self._probe = make_client(endpoint, region)
        self._tables = {layout.physical(table): table for table in layout.tables()}
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

    def _table_of(self, physical: str) -> Table:
        return self._tables[physical]

    def storage(self) -> int:
        """Bytes every item of the layout's tables occupies, indexes included."""
        total = 0
        for name, table in self._tables.items():
            for page in self._probe.get_paginator("scan").paginate(TableName=name):
                total += sum(stored_bytes(table, item) for item in page.get("Items", []))
        return total

    def _key_of(self, table: str, item: Item) -> dict[str, Any]:
        spec = self._table_of(table)
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
            self.usage.write += _index_writes(self._table_of(table), before, after)

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


@dataclass
class Measured:
    """One layout's units per use case (means over the journeys) and a user's storage."""

    layout: str
    per_use_case: dict[str, Usage]
    storage_bytes: float

    def month(self) -> tuple[float, float]:
        """Read and write units of a typical month (MONTH) of one active user."""
        reads = sum(u.read * MONTH.get(name, 0) for name, u in self.per_use_case.items())
        writes = sum(u.write * MONTH.get(name, 0) for name, u in self.per_use_case.items())
        return reads, writes

    def cost(self) -> tuple[float, float]:
        """Throughput and storage (with PITR) cost of one monthly active user, in USD."""
        reads, writes = self.month()
        throughput = (reads * PRICE_PER_MILLION_RRU + writes * PRICE_PER_MILLION_WRU) / 1e6
        gigabytes = self.storage_bytes / 1024**3
        return throughput, gigabytes * (PRICE_PER_GB_MONTH + PRICE_PITR_PER_GB_MONTH)


def measure(users: int, layout: str = "multi") -> Measured:
    bench = local_bench(layout=layout)
    resources = bench.container.dynamodb()
    meter = CapacityMeter(
        resources.client(),
        resources.endpoint or "",
        "us-east-1",
        bench.container.settings().layout(),
    )
    totals: dict[str, list[Usage]] = defaultdict(list)
    storage: list[int] = []

    def step(name: str, action: Callable[[], Any]) -> Any:
        if name == "export_account":  # the user's whole history, just before it is erased
            storage.append(meter.storage())
        meter.usage, meter.active = Usage(), True
        try:
            return action()
        finally:
            meter.active = False
            totals[name].append(meter.usage)

    for _ in range(users):
        run_journey(bench, step)
    resources.close()
    per_use_case = {
        name: Usage(
            sum(u.read for u in runs) / len(runs),
            sum(u.write for u in runs) / len(runs),
            round(sum(u.requests for u in runs) / len(runs)),
        )
        for name, runs in totals.items()
    }
    return Measured(layout, per_use_case, sum(storage) / len(storage))


def winner(multi: float, single: float) -> str:
    """The layout with the smaller figure; `=` within 0.5 %."""
    if abs(multi - single) <= 0.005 * max(abs(multi), abs(single)):
        return "="
    return "multi" if multi < single else "single"


def render(both: Mapping[str, Measured]) -> str:
    """Both layouts side by side: units per use case, a month of one user, the cost."""
    multi, single = both["multi"], both["single"]
    lines = [
        "| use case | per month | multi RU | multi WU | single RU | single WU | fewer units |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, m in multi.per_use_case.items():
        s = single.per_use_case[name]
        lines.append(
            f"| {name} | {MONTH.get(name, 0):g} | {m.read:.1f} | {m.write:.1f} "
            f"| {s.read:.1f} | {s.write:.1f} | {winner(m.read + m.write, s.read + s.write)} |"
        )
    lines += ["", "| one monthly active user | multi | single | cheaper |", "|---|---:|---:|:---:|"]
    (m_read, m_write), (s_read, s_write) = multi.month(), single.month()
    (m_tp, m_st), (s_tp, s_st) = multi.cost(), single.cost()
    rows = [
        ("read units a month", m_read, s_read, "{:,.0f}"),
        ("write units a month", m_write, s_write, "{:,.0f}"),
        (
            "stored bytes (items + index copies)",
            multi.storage_bytes,
            single.storage_bytes,
            "{:,.0f}",
        ),
        ("throughput $ a month", m_tp, s_tp, "{:.6f}"),
        ("storage + PITR $ a month", m_st, s_st, "{:.6f}"),
        ("**total $ per MAU**", m_tp + m_st, s_tp + s_st, "**{:.6f}**"),
        ("$ per million MAU", (m_tp + m_st) * 1e6, (s_tp + s_st) * 1e6, "{:,.0f}"),
    ]
    for label, left, right, form in rows:
        lines.append(
            f"| {label} | {form.format(left)} | {form.format(right)} | {winner(left, right)} |"
        )
    lines += [
        "",
        f"us-east-1 on-demand prices: WRU ${PRICE_PER_MILLION_WRU}/M, RRU "
        f"${PRICE_PER_MILLION_RRU}/M, storage ${PRICE_PER_GB_MONTH} + PITR "
        f"${PRICE_PITR_PER_GB_MONTH} per GB-month; storage is one journey user's items.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2, help="journeys to average over")
    args = parser.parse_args(argv)
    print(render({layout: measure(args.users, layout) for layout in LAYOUTS}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
