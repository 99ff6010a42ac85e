"""The backfill steps of migrations 001 and 002 on the embedded DynamoDB server."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from adapters.dynamodb import keys
from adapters.dynamodb.backfills import backfill_index_shards, backfill_user_limits
from adapters.dynamodb.layout import Layout, layout_for
from adapters.dynamodb.mappers.assessments import assessment_to_item
from adapters.dynamodb.mappers.calendar_tasks import task_to_item
from adapters.dynamodb.mappers.plans import plan_to_item
from adapters.dynamodb.mappers.user_limits import limits_from_item, limits_to_item
from adapters.dynamodb.mappers.users import user_to_item
from domain.assessment import AssessmentStatus
from domain.limits import new_limits
from domain.tiers import Tier
from tests.integration.faults import before_call
from tests.support.dynamodb_backend import TEST_SHARDS
from tests.support.factories import DAY0, T0, a_plan, a_task, a_user, an_assessment, limits_for
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LATER = T0 + timedelta(days=30)
Progress = list[tuple[int, int | None]]


def all_items(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    """Every item of a table, in a stable order."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda item: repr(sorted(item.items())))
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def items_of(client: DynamoDBClient, layout: Layout, entity: str) -> list[dict[str, Any]]:
    """Every item of an entity (its table may hold others), in a stable order."""
    table = layout.table(entity)
    return [item for item in all_items(client, table) if layout.entity_of(table, item) == entity]


def a_legacy_user(client: DynamoDBClient, layout: Layout, user_id: str, tier: Tier) -> None:
    """A user stored before limits rows existed: the users item alone."""
    user = a_user(user_id, tier=tier)
    item = layout.stored(keys.USERS, user_to_item(user))
    client.put_item(TableName=layout.table(keys.USERS), Item=item)


def recorder(into: Progress) -> Any:
    return lambda done, total: into.append((done, total))


def test_the_backfill_creates_exactly_the_missing_limits_rows_for_each_users_tier(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    registered = a_user("registered-1")
    stores.users.add(registered, limits_for(registered))
    used = dataclasses.replace(
        stores.limits.get("registered-1") or limits_for(registered),
        video_quota_used_daily=4,
        strikes=1,
    )
    stores.limits.save(used)
    a_legacy_user(client, layout, "legacy-pro", Tier.PRO)
    a_legacy_user(client, layout, "legacy-free", Tier.FREE)
    live_row = client.get_item(
        TableName=layout.table(keys.USER_LIMITS), Key=layout.limits_key("registered-1")
    )["Item"]

    created = backfill_user_limits(client, layout, lambda *_: None, now=lambda: LATER)

    assert created == 2
    rows = {row["user_id"]["S"]: row for row in items_of(client, layout, keys.USER_LIMITS)}
    assert sorted(rows) == ["legacy-free", "legacy-pro", "registered-1"]  # no EMAIL# rows
    assert rows["registered-1"] == live_row
    for user_id, tier in (("legacy-pro", Tier.PRO), ("legacy-free", Tier.FREE)):
        fresh = dataclasses.replace(new_limits(user_id, tier, LATER), revision=1)
        assert rows[user_id] == layout.stored(keys.USER_LIMITS, limits_to_item(fresh))
        assert stores.limits.get(user_id) == limits_from_item(limits_to_item(fresh))


def test_a_second_backfill_changes_nothing(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    registered = a_user("registered-1")
    stores.users.add(registered, limits_for(registered))
    a_legacy_user(client, layout, "legacy-1", Tier.BASIC)
    backfill_user_limits(client, layout, lambda *_: None, now=lambda: T0)
    before = items_of(client, layout, keys.USER_LIMITS)

    again = backfill_user_limits(client, layout, lambda *_: None, now=lambda: LATER)

    assert again == 0
    assert items_of(client, layout, keys.USER_LIMITS) == before


def test_a_row_written_while_the_backfill_runs_is_never_overwritten(
    client: DynamoDBClient, plain_client: DynamoDBClient, layout: Layout
) -> None:
    a_legacy_user(client, layout, "legacy-1", Tier.FREE)
    meanwhile = layout.stored(
        keys.USER_LIMITS,
        limits_to_item(
            dataclasses.replace(new_limits("legacy-1", Tier.PRO, T0), revision=3, strikes=2)
        ),
    )

    def register_limits_first(_request: dict[str, Any]) -> None:
        plain_client.put_item(TableName=layout.table(keys.USER_LIMITS), Item=meanwhile)

    before_call(client, "TransactWriteItems", register_limits_first)

    created = backfill_user_limits(client, layout, lambda *_: None, now=lambda: LATER)

    assert created == 0
    assert items_of(client, layout, keys.USER_LIMITS) == [meanwhile]


def test_a_user_erased_while_the_backfill_runs_gets_no_limits_row_back(
    client: DynamoDBClient, plain_client: DynamoDBClient, layout: Layout
) -> None:
    a_legacy_user(client, layout, "legacy-1", Tier.FREE)

    def erase_first(_request: dict[str, Any]) -> None:
        plain_client.delete_item(
            TableName=layout.table(keys.USERS), Key=layout.user_key("legacy-1")
        )

    before_call(client, "TransactWriteItems", erase_first)

    created = backfill_user_limits(client, layout, lambda *_: None, now=lambda: LATER)

    assert created == 0
    assert items_of(client, layout, keys.USER_LIMITS) == []


def test_the_backfill_reads_page_by_page_and_reports_its_progress(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    for number in range(3):
        user = a_user(f"registered-{number}")
        stores.users.add(user, limits_for(user))
    for number in range(9):
        a_legacy_user(client, layout, f"legacy-{number}", Tier.FREE)
    # Multi: 12 users and 3 email reservations; single: also the 3 limits rows.
    stored = len(all_items(client, layout.table(keys.USERS)))
    progress: Progress = []

    created = backfill_user_limits(client, layout, recorder(progress), now=lambda: T0, page_size=4)

    assert created == 9
    done = [reported for reported, _ in progress]
    assert done == [*range(0, stored, 4), stored]
    assert all(total is None or total >= reported for reported, total in progress)
    assert progress[-1] == (stored, stored)


def test_the_index_backfill_gives_every_item_the_index_attributes_of_the_adapters(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    assessment = an_assessment("user-a", "assessment-1", status=AssessmentStatus.COMPLETED)
    stale = an_assessment("user-b", "assessment-2")
    current = an_assessment("user-c", "assessment-3")
    active, inactive = a_plan("user-a", 2), a_plan("user-a", 1, is_active=False)
    open_task = a_task("user-a", DAY0, plan_id=active.plan_id)
    done_task = a_task("user-a", DAY0, "hip-openers", plan_id=active.plan_id, completed=True)
    other_count = layout_for(layout.name, layout.stage, 7)  # written under another shard count
    assert keys.shard_of("user-b", 7) != keys.shard_of("user-b", TEST_SHARDS)

    def stored(entity: str, attributes: dict[str, Any], by: Layout = layout) -> dict[str, Any]:
        return by.stored(entity, attributes)

    def bare(entity: str, attributes: dict[str, Any]) -> dict[str, Any]:
        return strip(stored(entity, attributes), *layout.index_values(entity, attributes))

    def wrongly_keyed(entity: str, attributes: dict[str, Any], flag: str) -> dict[str, Any]:
        keyed_as = {**attributes, flag: {"BOOL": not attributes[flag]["BOOL"]}}
        keys_of_other = layout.index_values(entity, keyed_as)
        return {**stored(entity, attributes), **{k: v for k, v in keys_of_other.items() if v}}

    attempts = [assessment_to_item(a) for a in (assessment, stale, current)]
    plans = [plan_to_item(p) for p in (active, inactive)]
    tasks = [task_to_item(t) for t in (open_task, done_task)]
    wanted = {
        keys.ASSESSMENTS: [stored(keys.ASSESSMENTS, a) for a in attempts],
        keys.PLANS: [stored(keys.PLANS, p) for p in plans],
        keys.CALENDAR_TASKS: [stored(keys.CALENDAR_TASKS, t) for t in tasks],
    }
    legacy = {
        keys.ASSESSMENTS: [
            bare(keys.ASSESSMENTS, attempts[0]),
            stored(keys.ASSESSMENTS, attempts[1], other_count),
            stored(keys.ASSESSMENTS, attempts[2]),
        ],
        keys.PLANS: [
            bare(keys.PLANS, plans[0]),
            wrongly_keyed(keys.PLANS, plans[1], "is_active"),
        ],
        keys.CALENDAR_TASKS: [
            bare(keys.CALENDAR_TASKS, tasks[0]),
            wrongly_keyed(keys.CALENDAR_TASKS, tasks[1], "completed"),
        ],
    }
    for entity, items in legacy.items():
        for item in items:
            client.put_item(TableName=layout.table(entity), Item=item)
    progress: Progress = []

    fixed = backfill_index_shards(client, layout, recorder(progress))

    assert fixed == 6  # all but `current`
    for entity, items in wanted.items():
        assert items_of(client, layout, entity) == sorted(
            items, key=lambda item: repr(sorted(item.items()))
        )
    assert progress[-1][0] == 7
    assert stores.calendar.users_with_open_tasks(DAY0, limit=10, cursor=None)[0] == ["user-a"]
    assert stores.plans.get_active("user-a") == active
    assert backfill_index_shards(client, layout, lambda *_: None) == 0


def strip(item: dict[str, Any], *names: str) -> dict[str, Any]:
    """The item without the named attributes."""
    return {name: value for name, value in item.items() if name not in names}
