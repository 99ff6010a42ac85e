"""What goes over the wire: batch and transaction sizes, no Scan, and calls per method."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from adapters.dynamodb.atomic import MAX_TRANSACTION_ITEMS, TransactionTooLarge
from adapters.dynamodb.batches import MAX_BATCH_ITEMS
from adapters.dynamodb.layout import Layout
from domain.assessment import fail
from domain.calendar import set_completed
from domain.progress import with_counts
from domain.user import User
from ports.snapshots import SnapshotRequest
from tests.integration.faults import before_call, ok
from tests.support.dynamodb_backend import TEST_SHARDS
from tests.support.factories import (
    DAY0,
    T0,
    a_plan,
    a_progress,
    a_subscription,
    a_task,
    a_user,
    an_assessment,
    limits_for,
)
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

USER = "user-1"

Measure = Callable[[str, Callable[[], Any]], Any]


class Calls:
    """Every DynamoDB operation the client sends, with its request body."""

    def __init__(self, client: DynamoDBClient) -> None:
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

        def record(model: Any, params: dict[str, Any], **_: Any) -> None:
            with self._lock:
                self.bodies.append((model.name, json.loads(params["body"])))

        client.meta.events.register("before-call.dynamodb", record)

    def of(self, operation: str) -> list[dict[str, Any]]:
        return [body for name, body in self.bodies if name == operation]

    def counted(self) -> Counter[str]:
        return Counter(name for name, _ in self.bodies)

    def clear(self) -> None:
        self.bodies.clear()


def register(stores: Stores) -> None:
    user = a_user(USER)
    stores.users.add(user, limits_for(user))


def test_an_erasure_deletes_in_batches_of_at_most_twenty_five(
    stores: Stores, client: DynamoDBClient, layout: Layout
) -> None:
    register(stores)
    tasks = [
        a_task(task_date=DAY0 + timedelta(days=n // 10), exercise_id=f"e{n}") for n in range(60)
    ]
    progress = [a_progress(day=DAY0 + timedelta(days=d), total=10) for d in range(6)]
    stores.calendar.add_tasks(tasks, progress)
    calls = Calls(client)
    assert stores.account.erase(USER, None) == 3 + 60 + 6
    sizes = [
        sum(len(items) for items in body["RequestItems"].values())
        for body in calls.of("BatchWriteItem")
    ]
    assert sizes == [MAX_BATCH_ITEMS, MAX_BATCH_ITEMS]
    # The last chunk is one transaction holding the user and the email reservation.
    [last] = calls.of("TransactWriteItems")
    deleted = [element["Delete"] for element in last["TransactItems"]]
    assert len(deleted) == 3 + 60 + 6 - 2 * MAX_BATCH_ITEMS
    assert layout.user_key(USER) in [d["Key"] for d in deleted]
    [reservation] = [d for d in deleted if d["Key"] == layout.email_key(a_user(USER).email)]
    assert reservation["ExpressionAttributeValues"] == {":owner": {"S": USER}}
    queries = 2 * len(layout.user_reads(USER))  # the items, then the sweep (decision 141)
    expected = Counter({"Query": queries, "BatchWriteItem": 2, "TransactWriteItems": 1})
    assert calls.counted() == expected


def test_an_erasure_never_parts_the_user_from_the_email_reservation(
    stores: Stores, client: DynamoDBClient
) -> None:
    register(stores)
    # 26 items: chunks of 25 and 1 would leave one of the two outside the last chunk.
    tasks = [a_task(exercise_id=f"e{n}") for n in range(22)]
    stores.calendar.add_tasks(tasks, [a_progress(total=22)])
    calls = Calls(client)
    assert stores.account.erase(USER, None) == 3 + 22 + 1
    assert calls.of("BatchWriteItem") == []
    [last] = calls.of("TransactWriteItems")
    assert len(last["TransactItems"]) == 26


def test_a_snapshot_is_one_consistent_batch_read(stores: Stores, client: DynamoDBClient) -> None:
    register(stores)
    calls = Calls(client)
    stores.snapshots.read(SnapshotRequest(USER, user=True, limits=True, progress_date=DAY0))
    [body] = calls.of("BatchGetItem")
    assert sum(len(table["Keys"]) for table in body["RequestItems"].values()) == 3
    for table in body["RequestItems"].values():
        assert table["ConsistentRead"] is True
    assert calls.counted() == Counter({"BatchGetItem": 1})


def test_a_snapshot_resends_the_keys_handed_back_unprocessed(
    stores: Stores, client: DynamoDBClient
) -> None:
    register(stores)
    handed_back: list[int] = []

    def first_call_unprocessed(body: dict[str, Any]) -> Any:
        if handed_back:
            return None
        handed_back.append(sum(len(t["Keys"]) for t in body["RequestItems"].values()))
        return ok({"Responses": {}, "UnprocessedKeys": body["RequestItems"]})

    before_call(client, "BatchGetItem", first_call_unprocessed)
    seen = stores.snapshots.read(SnapshotRequest(USER, user=True, limits=True))
    assert handed_back == [2]
    assert seen.user is not None
    assert seen.limits is not None


def test_scheduling_many_dates_packs_whole_dates_into_transactions_of_at_most_a_hundred(
    stores: Stores, client: DynamoDBClient
) -> None:
    days = [DAY0 + timedelta(days=n) for n in range(20)]
    tasks = [a_task(task_date=day, exercise_id=f"e{n}") for day in days for n in range(9)]
    progress = [a_progress(day=day, total=9) for day in days]
    calls = Calls(client)
    stores.calendar.add_tasks(tasks, progress)
    transactions = calls.of("TransactWriteItems")
    sizes = [len(body["TransactItems"]) for body in transactions]
    assert sizes == [100, 100]  # ten whole dates of 9 tasks and 1 progress item each
    for body in transactions:
        assert len(body["TransactItems"]) <= MAX_TRANSACTION_ITEMS
    dates_per_transaction = [
        {
            element["Put"]["Item"]["date"]["S"]
            for element in body["TransactItems"]
            if "date" in element["Put"]["Item"]
        }
        for body in transactions
    ]
    assert [len(dates) for dates in dates_per_transaction] == [10, 10]
    assert len(stores.calendar.between(USER, days[0], days[-1])) == 180


def test_a_write_too_large_for_one_transaction_is_refused_before_anything_is_sent(
    stores: Stores, client: DynamoDBClient
) -> None:
    task = a_task()
    stores.calendar.add_tasks([task], [a_progress(total=1)])
    progress = [a_progress(day=DAY0 + timedelta(days=n), total=0) for n in range(1, 101)]
    calls = Calls(client)
    with pytest.raises(TransactionTooLarge):
        stores.calendar.set_completed(set_completed(task, True, T0), progress)
    assert calls.bodies == []
    stored = stores.calendar.get(USER, DAY0, task.task_id)
    assert stored is not None
    assert not stored.completed


def test_no_request_path_scans_a_table(stores: Stores, client: DynamoDBClient) -> None:
    def refuse(_: dict[str, Any]) -> None:
        raise AssertionError("a Scan on a request path")

    before_call(client, "Scan", refuse)
    exercise_every_reader_and_writer(stores)


def exercise_every_reader_and_writer(stores: Stores, measure: Measure | None = None) -> None:
    """Every method of every port but MigrationLedger.applied, once; `measure(name, call)`
    runs each call (and may count what it sends)."""
    run: Measure = measure or (lambda _name, call: call())
    user = a_user(USER)
    run("users.add", lambda: stores.users.add(user, limits_for(user)))
    run("users.get", lambda: stores.users.get(USER))
    run("users.get_by_email", lambda: stores.users.get_by_email(user.email))
    run("users.update_profile", lambda: stores.users.update_profile(renamed(user)))
    limits = run("limits.get", lambda: stores.limits.get(USER))
    assert limits is not None
    limits = run("limits.save", lambda: stores.limits.save(limits))
    limits = run("users.change_tier", lambda: stores.users.change_tier(user, limits))
    attempt = an_assessment(USER, "a-1")
    run("assessments.start", lambda: stores.assessments.start(attempt, limits))
    failed = fail(attempt, "the worker crashed", T0)
    run("assessments.finish", lambda: stores.assessments.finish(failed))
    run("assessments.get", lambda: stores.assessments.get(USER, "a-1"))
    run(
        "assessments.list_for_user",
        lambda: stores.assessments.list_for_user(USER, test_id=None, limit=10, cursor=None),
    )
    run("assessments.completed_since", lambda: stores.assessments.completed_since(USER, T0))
    run(
        "assessments.of_month",
        lambda: stores.assessments.of_month("2026-11", limit=10, cursor=None),
    )
    run(
        "assessments.of_test",
        lambda: stores.assessments.of_test(1, since=T0, limit=10, cursor=None),
    )
    run("plans.activate", lambda: stores.plans.activate(a_plan(USER), None))
    run("plans.get_active", lambda: stores.plans.get_active(USER))
    run("plans.list_for_user", lambda: stores.plans.list_for_user(USER))
    task = a_task()
    run("calendar.add_tasks", lambda: stores.calendar.add_tasks([task], [a_progress(total=1)]))
    run("calendar.get", lambda: stores.calendar.get(USER, DAY0, task.task_id))
    run("calendar.between", lambda: stores.calendar.between(USER, DAY0, DAY0))
    run("calendar.on_date", lambda: stores.calendar.on_date(USER, DAY0))
    progress = run("progress.get", lambda: stores.progress.get(USER, DAY0))
    assert progress is not None
    done = set_completed(task, True, T0)
    run(
        "calendar.set_completed",
        lambda: stores.calendar.set_completed(done, [with_counts(progress, 1, 1, T0)]),
    )
    run(
        "calendar.users_with_open_tasks",
        lambda: stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None),
    )
    progress = stores.progress.get(USER, DAY0)
    assert progress is not None
    run(
        "calendar.remove_tasks",
        lambda: stores.calendar.remove_tasks([task], [with_counts(progress, 1, 1, T0)]),
    )
    run("progress.between", lambda: stores.progress.between(USER, DAY0, DAY0))
    later = DAY0 + timedelta(days=1)
    run("progress.latest_before", lambda: stores.progress.latest_before(USER, later))
    run("progress.chain", lambda: stores.progress.chain(USER, later, later))
    run("progress.top_streaks", lambda: stores.progress.top_streaks(USER, 3))
    run("progress.best_streak", lambda: stores.progress.best_streak(USER))
    run("subscriptions.apply", lambda: stores.subscriptions.apply(a_subscription(USER), None))
    run("subscriptions.list_for_user", lambda: stores.subscriptions.list_for_user(USER))
    run("subscriptions.active_for_user", lambda: stores.subscriptions.active_for_user(USER))
    run("subscriptions.get", lambda: stores.subscriptions.get(USER, "sub_1"))
    run("subscriptions.by_customer", lambda: stores.subscriptions.by_customer("cus_1"))
    run(
        "snapshots.read",
        lambda: stores.snapshots.read(
            SnapshotRequest(
                USER,
                user=True,
                limits=True,
                assessment_id="a-1",
                task=(DAY0, task.task_id),
                progress_date=DAY0,
            )
        ),
    )
    run("account.export", lambda: stores.account.export(USER))
    run("account.erase", lambda: stores.account.erase(USER, None))


def renamed(user: User) -> User:
    return dataclasses.replace(user, name="Ada")


# (method, DynamoDB calls it makes on a small user, by operation)
EXPECTED_CALLS: dict[str, dict[str, int]] = {
    "users.add": {"TransactWriteItems": 1},
    "users.get": {"GetItem": 1},
    "users.get_by_email": {"Query": 1},
    "users.update_profile": {"UpdateItem": 1},
    "limits.get": {"GetItem": 1},
    "limits.save": {"PutItem": 1},
    "users.change_tier": {"TransactWriteItems": 1},
    "assessments.start": {"TransactWriteItems": 1},
    "assessments.finish": {"PutItem": 1},  # no refund, no progress: one conditional put
    "assessments.get": {"GetItem": 1},
    "assessments.list_for_user": {"Query": 1},
    "assessments.completed_since": {"Query": 1},
    "assessments.of_month": {"Query": TEST_SHARDS},
    "assessments.of_test": {"Query": TEST_SHARDS},
    "plans.activate": {"PutItem": 1},  # no previous plan: one conditional put
    "plans.get_active": {"Query": 1},
    "plans.list_for_user": {"Query": 1},
    "calendar.add_tasks": {"TransactWriteItems": 1},  # the caller found the tasks missing
    "calendar.get": {"GetItem": 1},
    "calendar.between": {"Query": 1},
    "calendar.on_date": {"Query": 1},
    "progress.get": {"GetItem": 1},
    "calendar.set_completed": {"TransactWriteItems": 1},
    "calendar.users_with_open_tasks": {"Query": TEST_SHARDS},
    # the task was completed meanwhile: its delete is dropped, the progress put sent again
    "calendar.remove_tasks": {"TransactWriteItems": 1, "PutItem": 1},
    "progress.between": {"Query": 1},
    "progress.latest_before": {"Query": 1},
    "progress.chain": {"Query": 1},
    "progress.top_streaks": {"Query": 1},
    "progress.best_streak": {"Query": 1},
    "subscriptions.apply": {"PutItem": 1},  # no user, no limits: one conditional put
    "subscriptions.list_for_user": {"Query": 1},
    "subscriptions.active_for_user": {"Query": 1},
    "subscriptions.get": {"GetItem": 1},
    "subscriptions.by_customer": {"Query": 1},
    "snapshots.read": {"BatchGetItem": 1},  # five entities, one key each
    # multi: a Query per user table; single: one Query of the user's item collection
    "account.export": {"Query": 7},
    # 8 items (user, email, limits, attempt, plan, task, progress, subscription) fit one
    # chunk, the last: a transaction with the user and the email; then the sweep (141)
    "account.erase": {"Query": 14, "TransactWriteItems": 1},
}
SINGLE_CALLS = {
    "account.export": {"Query": 1},
    "account.erase": {"Query": 2, "TransactWriteItems": 1},
}


def test_each_method_makes_the_calls_its_design_says(
    stores: Stores, client: DynamoDBClient, layout: Layout
) -> None:
    calls = Calls(client)
    seen: dict[str, dict[str, int]] = {}

    def measure(name: str, call: Callable[[], Any]) -> Any:
        calls.clear()
        result = call()
        seen[name] = dict(calls.counted())
        return result

    exercise_every_reader_and_writer(stores, measure)
    assert seen == EXPECTED_CALLS | (SINGLE_CALLS if layout.name == "single" else {})
