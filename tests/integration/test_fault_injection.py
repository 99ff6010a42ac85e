"""Throttling, unprocessed batch items and conflicting writers, injected with botocore hooks."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import s
from adapters.dynamodb.batches import batch_write, put_request
from adapters.dynamodb.layout import Layout
from application.retry import retry_on_conflict
from domain import catalog
from domain.assessment import start_assessment
from domain.calendar import set_completed
from domain.errors import ConcurrentModification
from domain.limits import Admitted, decide_start
from domain.progress import with_counts
from infra import embedded
from ports.errors import StorageUnavailable
from tests.integration.faults import before_call, fail_first_sends, ok
from tests.support.dynamodb_backend import dynamodb_stores
from tests.support.factories import DAY0, T0, a_progress, a_task, a_user, limits_for
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

USER = "user-1"
NOW = T0 + timedelta(minutes=5)


def register(stores: Stores, user_id: str = USER) -> None:
    user = a_user(user_id)
    stores.users.add(user, limits_for(user))


def start_one(stores: Stores, assessment_id: str, test_id: int = 1) -> None:
    """Read the limits, decide, start: the use case's step, without the use case."""
    limits = stores.limits.get(USER)
    assert limits is not None
    decision = decide_start(limits, test_id, NOW)
    assert isinstance(decision, Admitted)
    assessment = start_assessment(
        USER,
        assessment_id,
        catalog.test_by_id(test_id),
        decision.attempt_number,
        "s3://v/x.mp4",
        NOW,
    )
    stores.assessments.start(assessment, decision.limits)


def assessment_ids(client: DynamoDBClient, layout: Layout) -> list[str]:
    response = client.query(**layout.of_user(keys.ASSESSMENTS, USER))
    return sorted(item["assessment_id"]["S"] for item in response["Items"])


def test_a_throttled_transaction_is_retried_by_botocore_and_written_once(
    stores: Stores, client: DynamoDBClient, plain_client: DynamoDBClient, layout: Layout
) -> None:
    register(stores)
    sends = fail_first_sends(client, "TransactWriteItems", "ThrottlingException", times=1)
    start_one(stores, "a-1")
    assert len(sends.sent) == 2
    assert sends.sent[0] == sends.sent[1]  # the same request, idempotency token included
    assert assessment_ids(plain_client, layout) == ["a-1"]
    limits = stores.limits.get(USER)
    assert limits is not None
    assert (limits.revision, limits.video_quota_used_hourly) == (2, 1)


def test_throttling_that_outlasts_the_retries_is_storage_unavailable_and_writes_nothing(
    server: embedded.EmbeddedDynamoDB,
    layout: Layout,
    plain_client: DynamoDBClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embedded, "MAX_ATTEMPTS", 2)  # one retry, to keep the test short
    client = embedded.make_client(server.endpoint, server.region)
    stores = dynamodb_stores(client, layout)
    register(stores)
    sends = fail_first_sends(
        client, "TransactWriteItems", "ProvisionedThroughputExceededException", times=99
    )
    with pytest.raises(StorageUnavailable):
        start_one(stores, "a-1")
    assert len(sends.sent) == 2
    assert assessment_ids(plain_client, layout) == []


def test_unprocessed_items_are_resent_until_each_is_written_exactly_once(
    client: DynamoDBClient, plain_client: DynamoDBClient, layout: Layout
) -> None:
    table = layout.table(keys.MIGRATIONS)
    written: list[str] = []
    calls = 0

    def half_unprocessed(body: dict[str, Any]) -> Any:
        # The first three calls write half their items for real and hand the rest back.
        nonlocal calls
        calls += 1
        requests = body["RequestItems"][table]
        done, rest = requests[: len(requests) // 2], requests[len(requests) // 2 :]
        if calls > 3:
            done, rest = requests, []
        if done:
            plain_client.batch_write_item(RequestItems={table: done})
        written.extend(r["PutRequest"]["Item"]["version"]["S"] for r in done)
        return ok({"UnprocessedItems": {table: rest} if rest else {}})

    before_call(client, "BatchWriteItem", half_unprocessed)
    versions = [f"{n:03d}" for n in range(60)]
    items = [
        layout.stored(keys.MIGRATIONS, {"version": s(v), "description": s("d"), "author": s("a")})
        for v in versions
    ]
    batch_write(client, [(table, put_request(item)) for item in items], sleep=lambda _: None)
    assert sorted(written) == versions  # every item once, none twice
    stored = plain_client.scan(TableName=table, ConsistentRead=True)["Items"]
    assert sorted(item["version"]["S"] for item in stored) == versions


def test_an_erasure_survives_unprocessed_deletes(
    stores: Stores, client: DynamoDBClient, other_stores: Stores, plain_client: DynamoDBClient
) -> None:
    register(stores)
    tasks = [a_task(exercise_id=f"e{n:02d}") for n in range(30)]
    stores.calendar.add_tasks(tasks, [a_progress(total=30)])
    first_calls: list[int] = []

    def first_call_unprocessed(body: dict[str, Any]) -> Any:
        if first_calls:
            return None
        requests = body["RequestItems"]
        first_calls.append(sum(len(r) for r in requests.values()))
        return ok({"UnprocessedItems": requests})

    before_call(client, "BatchWriteItem", first_call_unprocessed)
    assert stores.account.erase(USER, None) == 3 + 30 + 1
    assert first_calls == [25]
    assert other_stores.calendar.between(USER, DAY0, DAY0) == []
    assert other_stores.users.get(USER) is None


def test_a_start_that_loses_to_a_write_between_its_read_and_its_write_writes_nothing(
    stores: Stores,
    client: DynamoDBClient,
    other_stores: Stores,
    plain_client: DynamoDBClient,
    layout: Layout,
) -> None:
    register(stores)
    raced: list[bool] = []

    def conflicting_start(_: dict[str, Any]) -> None:
        if not raced:
            raced.append(True)
            start_one(other_stores, "rival")  # commits before ours is sent

    before_call(client, "TransactWriteItems", conflicting_start)
    with pytest.raises(ConcurrentModification):
        start_one(stores, "mine")
    assert assessment_ids(plain_client, layout) == ["rival"]
    limits = other_stores.limits.get(USER)
    assert limits is not None
    assert (limits.revision, limits.video_quota_used_hourly) == (2, 1)
    # The use case re-reads and decides again; the retry lands on the rival's counters.
    retry_on_conflict(lambda: start_one(stores, "mine"))
    assert assessment_ids(plain_client, layout) == ["mine", "rival"]
    limits = other_stores.limits.get(USER)
    assert limits is not None
    assert (limits.revision, limits.video_quota_used_hourly) == (3, 2)


def test_a_completion_that_loses_a_progress_guard_leaves_task_and_progress_as_they_were(
    stores: Stores, client: DynamoDBClient, other_stores: Stores
) -> None:
    register(stores)
    today, tomorrow = DAY0, DAY0 + timedelta(days=1)
    task = a_task(task_date=today)
    stores.calendar.add_tasks(
        [task, a_task(task_date=tomorrow)],
        [a_progress(day=today, total=1), a_progress(day=tomorrow, total=1)],
    )
    first = stores.progress.get(USER, today)
    second = stores.progress.get(USER, tomorrow)
    assert first is not None
    assert second is not None

    raced: list[bool] = []

    def rival_moves_tomorrow(_: dict[str, Any]) -> None:
        if not raced:
            raced.append(True)
            other_stores.calendar.add_tasks([], [dataclasses.replace(second, streak=9)])

    before_call(client, "TransactWriteItems", rival_moves_tomorrow)
    done = set_completed(task, True, NOW)
    with pytest.raises(ConcurrentModification):
        stores.calendar.set_completed(
            done,
            [with_counts(first, 1, 1, NOW), dataclasses.replace(second, streak=1)],
        )
    assert other_stores.calendar.get(USER, today, task.task_id) == task
    assert other_stores.progress.get(USER, today) == first
    stored_second = other_stores.progress.get(USER, tomorrow)
    assert stored_second is not None
    assert (stored_second.streak, stored_second.revision) == (9, second.revision + 1)
    users, _ = other_stores.calendar.users_with_open_tasks(today, limit=5, cursor=None)
    assert list(users) == [USER]
