"""DynamoDB requests per use case on both table layouts side by side, beside the minimum the
eight-table data model allows, and the mean in-process time per use case against the embedded
server (`make bench`).

Requests are counted with a botocore event hook on the client the adapters use. The journey
(benchmarks/journey.py) runs once per simulated user; counts come from the first user (they are
the same for every user), times are means over all users.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.journey import local_bench, run_journey
from benchmarks.meter import RequestMeter

SHARDS = 16  # FLOWLOGIC_INDEX_SHARDS default: cross-user reads ask every shard once
USER_TABLES = 7
DELETES_PER_REQUEST = 25  # BatchWriteItem's limit


def erasure_minimum(items: int) -> int:
    """One query per user table, then one delete request per 25 items (decision 119), then
    one more query per user table: the sweep for items of concurrent writers (decision 141)."""
    return 2 * USER_TABLES + math.ceil(items / DELETES_PER_REQUEST)


# What a journey user has when erased: user, email reservation and limits row, a subscription,
# four attempts (one a retest), a plan, and 14 scheduled days of tasks (70 exercises and the two
# retests of day 14) and progress (14).
JOURNEY_ERASED_ITEMS = 3 + 1 + 4 + 1 + 72 + 14

# The fewest requests each use case can make on this data model, on the happy path the journey
# takes, with the reason. "read" = one GetItem, one BatchGetItem over several tables, or one Query.
MINIMUM: dict[str, tuple[int, str]] = {
    "register_user": (1, "one transaction: user + email reservation + limits"),
    "get_profile": (1, "one read"),
    "record_login": (2, "read the user, conditional write"),
    "accept_disclaimer": (2, "read the user, conditional write (1 when already accepted)"),
    "list_tests": (0, "the catalog is domain data"),
    "start_attempt": (2, "one batch read of user + limits, one transaction: limits + attempt"),
    "complete_attempt": (3, "batch read of attempt + user, query earlier results, one write"),
    "complete_retest": (
        5,
        "batch read of attempt + user, query earlier results, query the date's tasks (a retest "
        "task's id derives from the plan), query progress from the date on, one transaction",
    ),
    "fail_attempt": (2, "batch read of attempt + limits, one transaction with the refund"),
    "get_limits": (1, "one read"),
    "list_assessments": (1, "one query of the user's time index"),
    "get_assessment": (1, "one read"),
    "start_checkout": (2, "read the user (email), query subscriptions (customer to reuse)"),
    "apply_payment_event": (3, "batch read of user + limits, query subscriptions, transaction"),
    "list_subscriptions": (1, "one query"),
    "generate_plan": (4, "user, completed attempts, the user's plans, one transaction"),
    "get_active_plan": (2, "read the user (tier), query plans"),
    "schedule_calendar": (5, "user, plans, tasks and progress of the window, one transaction"),
    "list_tasks": (2, "read the user (tier), query tasks"),
    "set_task_completion": (3, "batch read user + task, query progress, one transaction"),
    "get_progress": (3, "read the user, query progress, query the streak index"),
    "top_streaks": (2, "read the user (tier), query the streak index"),
    "send_reminders": (SHARDS, "one query per date-index shard"),
    "count_assessments": (SHARDS, "one query per month-index shard"),
    "sweep_stale_attempts": (2 * SHARDS, "one query per month-index shard, this and last month"),
    "ban_user": (2, "read limits, revision-guarded write"),
    "unban_user": (2, "read limits, revision-guarded write"),
    "cancel_subscription": (2, "query subscriptions, write the cancelled one"),
    "export_account": (7, "one query per user table"),
    "erase_account": (
        erasure_minimum(JOURNEY_ERASED_ITEMS),
        f"2 queries per user table, 1 delete request per 25 of its {JOURNEY_ERASED_ITEMS} items",
    ),
}


# Requests of the first call of each use case in the journey, pinned per layout (multi, single)
# by tests/integration/test_request_counts.py. The single layout reads a user's item collection
# with one Query where the multi layout queries each table (export, erasure) or reads the user,
# the attempts and the plans apart (generate_plan, complete_attempt); elsewhere the counts are
# equal (decision 124).
PINNED: dict[str, tuple[int, int]] = {
    "register_user": (1, 1),
    "get_profile": (1, 1),
    "record_login": (2, 2),
    "accept_disclaimer": (2, 2),
    "list_tests": (0, 0),
    "start_attempt": (2, 2),
    "complete_attempt": (3, 2),
    "complete_retest": (5, 4),
    "fail_attempt": (2, 2),
    "get_limits": (1, 1),
    "list_assessments": (1, 1),
    "get_assessment": (1, 1),
    "start_checkout": (2, 2),
    "apply_payment_event": (3, 3),
    "list_subscriptions": (1, 1),
    "generate_plan": (4, 2),
    "get_active_plan": (2, 1),
    "schedule_calendar": (5, 4),
    "list_tasks": (2, 2),
    "set_task_completion": (3, 2),
    "get_progress": (3, 2),
    "top_streaks": (2, 2),
    "send_reminders": (SHARDS, SHARDS),
    "count_assessments": (SHARDS, SHARDS),
    "sweep_stale_attempts": (2 * SHARDS, 2 * SHARDS),
    "ban_user": (2, 2),
    "unban_user": (2, 2),
    "cancel_subscription": (2, 2),
    "export_account": (USER_TABLES, 1),
    # single: the collection's Query, 4 deletes, the sweep's Query
    "erase_account": (erasure_minimum(JOURNEY_ERASED_ITEMS), 1 + 4 + 1),
}


@dataclass
class Row:
    name: str
    requests: int
    operations: str
    minimum: int
    why: str
    mean_ms: float


def measure_journeys(users: int, endpoint: str | None = None, layout: str = "multi") -> list[Row]:
    bench = local_bench(endpoint, layout)
    meter = RequestMeter(bench.container.dynamodb().client())
    counts: dict[str, tuple[int, str]] = {}
    times: dict[str, list[float]] = defaultdict(list)

    def measure(name: str, action: Callable[[], Any]) -> Any:
        with meter.recording() as calls:
            started = time.perf_counter()
            result = action()
            times[name].append(time.perf_counter() - started)
        counts.setdefault(name, (len(calls), RequestMeter.summary(calls)))
        return result

    for _ in range(users):
        run_journey(bench, measure)
    bench.container.dynamodb().close()
    return [
        Row(name, n, ops, *MINIMUM[name], statistics.mean(times[name]) * 1000)
        for name, (n, ops) in counts.items()
    ]


def render(rows: list[Row]) -> str:
    lines = [
        "| use case | requests | minimum | at minimum | mean ms | requests made "
        "| why that minimum |",
        "|---|---:|---:|:---:|---:|---|---|",
    ]
    for r in rows:
        mark = "yes" if r.requests <= r.minimum else "**no**"
        lines.append(
            f"| {r.name} | {r.requests} | {r.minimum} | {mark} | {r.mean_ms:.1f} "
            f"| {r.operations or '-'} | {r.why} |"
        )
    return "\n".join(lines)


def render_both(multi: list[Row], single: list[Row]) -> str:
    """Requests and mean times of both layouts, and which makes fewer requests."""
    lines = [
        "| use case | multi requests | single requests | fewer requests | multi ms | single ms "
        "| single's requests |",
        "|---|---:|---:|:---:|---:|---:|---|",
    ]
    on_single = {row.name: row for row in single}
    for m in multi:
        s = on_single[m.name]
        fewer = (
            "=" if m.requests == s.requests else ("multi" if m.requests < s.requests else "single")
        )
        lines.append(
            f"| {m.name} | {m.requests} | {s.requests} | {fewer} | {m.mean_ms:.1f} "
            f"| {s.mean_ms:.1f} | {s.operations or '-'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=5, help="journeys to average times over")
    parser.add_argument("--endpoint", help="a DynamoDB endpoint instead of the embedded server")
    args = parser.parse_args(argv)
    rows = measure_journeys(args.users, args.endpoint, "multi")
    single = measure_journeys(args.users, args.endpoint, "single")
    print("### The eight tables (multi) against the data model's minimum\n")
    print(render(rows))
    above = [r.name for r in rows if r.requests > r.minimum]
    print(
        f"\n{len(rows) - len(above)} of {len(rows)} use cases at their minimum"
        + (f"; above it: {', '.join(above)}" if above else "")
    )
    print("\n### Both layouts side by side\n")
    print(render_both(rows, single))
    by_name = {row.name: row for row in single}
    fewer = [r.name for r in rows if by_name[r.name].requests < r.requests]
    more = [r.name for r in rows if by_name[r.name].requests > r.requests]
    print(
        f"\nsingle makes fewer requests in {len(fewer)} use case(s)"
        + (f" ({', '.join(fewer)})" if fewer else "")
        + f", more in {len(more)}"
        + (f" ({', '.join(more)})" if more else "")
        + f", as many in the other {len(rows) - len(fewer) - len(more)};"
        f" total per journey: multi {sum(r.requests for r in rows)},"
        f" single {sum(r.requests for r in single)} requests"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
