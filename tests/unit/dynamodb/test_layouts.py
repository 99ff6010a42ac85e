"""The two layouts without AWS: keys name their kind, items keep their documented attributes,
sparse index keys follow the attribute they depend on, and entities are told apart."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.layout import LAYOUTS, Layout, Sort, layout_for
from adapters.dynamodb.layout_single import (
    CONSTANT_SORT,
    DAY_PREFIX,
    SORT_PREFIX,
    day_of,
    day_value,
)
from adapters.dynamodb.mappers.assessments import assessment_to_item
from adapters.dynamodb.mappers.calendar_tasks import task_to_item
from adapters.dynamodb.mappers.plans import plan_to_item
from adapters.dynamodb.mappers.progress import progress_to_item
from adapters.dynamodb.mappers.subscriptions import subscription_to_item
from adapters.dynamodb.mappers.user_limits import limits_to_item
from adapters.dynamodb.mappers.users import user_to_item
from tests.support.factories import (
    DAY0,
    a_plan,
    a_progress,
    a_subscription,
    a_task,
    a_user,
    an_assessment,
    limits_for,
)

DOCUMENTED = {
    keys.USERS: user_to_item(a_user()),
    keys.USER_LIMITS: limits_to_item(limits_for()),
    keys.SUBSCRIPTIONS: subscription_to_item(a_subscription()),
    keys.ASSESSMENTS: assessment_to_item(an_assessment()),
    keys.PLANS: plan_to_item(a_plan()),
    keys.CALENDAR_TASKS: task_to_item(a_task()),
    keys.PROGRESS: progress_to_item(a_progress(streak=7)),
}


@pytest.fixture(params=LAYOUTS)
def layout(request: pytest.FixtureRequest) -> Layout:
    return layout_for(request.param, "test", 16)


@pytest.mark.parametrize("entity", sorted(DOCUMENTED))
def test_a_stored_item_keeps_every_documented_attribute_and_gives_it_back(
    layout: Layout, entity: str
) -> None:
    attributes = DOCUMENTED[entity]
    item = layout.stored(entity, attributes)
    assert {name: item[name] for name in attributes} == attributes
    assert layout.documented(entity, item) == attributes
    assert layout.entity_of(layout.table(entity), item) == entity
    assert layout.key_of(entity, item) == layout.key_from(entity, attributes)


def test_every_single_table_item_names_its_entity_and_its_kind_in_the_key() -> None:
    single = layout_for("single", "test", 16)
    for entity, attributes in DOCUMENTED.items():
        item = single.stored(entity, attributes)
        assert item["entity"] == {"S": entity}
        assert item["PK"]["S"].startswith("USER#")
    reservation = single.stored(keys.EMAIL_RESERVATION, {}, single.email_key("a@b.io"))
    assert (reservation["PK"], reservation["SK"]) == ({"S": "EMAIL#a@b.io"}, {"S": "EMAIL"})
    assert single.migration_key("001") == {"PK": {"S": "MIGRATIONS"}, "SK": {"S": "MIGRATION#001"}}


def test_no_sort_kind_of_the_single_table_is_a_prefix_of_another() -> None:
    kinds = [*SORT_PREFIX.values(), *CONSTANT_SORT.values(), DAY_PREFIX]
    for first, second in itertools.permutations(kinds, 2):
        assert not second.startswith(first), (first, second)


def test_a_users_days_sort_newest_first_right_after_the_profile() -> None:
    single = layout_for("single", "test", 16)
    days = [DAY0 + timedelta(days=n) for n in (-400, -1, 0, 1, 30, 365)]
    items = [
        *(single.task_key("u1", d, f"t{n}")["SK"]["S"] for d in days for n in (2, 1)),
        *(single.progress_key("u1", d)["SK"]["S"] for d in days),
    ]
    order = sorted(items)
    dates_in_order = [day_of(sort_key.split("#")[1]) for sort_key in order]
    assert dates_in_order == sorted(dates_in_order, reverse=True)
    # each date: its progress item, then its tasks by id
    assert order[:3] == [
        single.progress_key("u1", days[-1])["SK"]["S"],
        single.task_key("u1", days[-1], "t1")["SK"]["S"],
        single.task_key("u1", days[-1], "t2")["SK"]["S"],
    ]
    profile = CONSTANT_SORT[keys.USERS]
    kinds = [*SORT_PREFIX.values(), *CONSTANT_SORT.values()]
    assert all(not profile < kind < DAY_PREFIX for kind in kinds)
    assert profile < min(items)
    assert max(items) < "SUB#"


def test_a_day_value_reads_back_as_its_date() -> None:
    for n in range(0, 800, 37):
        day = date(2026, 1, 1) + timedelta(days=n)
        assert day_of(day_value(day)) == day
    assert day_value(date(2026, 11, 25)) == "7973-88-74"


def test_dated_reads_filter_the_interleaved_kind_only_where_a_range_needs_it() -> None:
    single = layout_for("single", "test", 16)
    one_date = single.dated(keys.CALENDAR_TASKS, "u1", DAY0, DAY0)
    assert "FilterExpression" not in one_date
    assert one_date["ExpressionAttributeValues"][":s0"]["S"].endswith("#TASK#")
    week = single.dated(keys.PROGRESS, "u1", DAY0, DAY0 + timedelta(days=6), newest_first=True)
    assert week["FilterExpression"] == "#entity = :entity"
    assert week["ScanIndexForward"] is True  # later dates sort first
    oldest_first = single.dated(keys.PROGRESS, "u1", None, DAY0)
    assert oldest_first["ScanIndexForward"] is False
    multi = layout_for("multi", "test", 16)
    assert "FilterExpression" not in multi.dated(keys.PROGRESS, "u1", None, DAY0)
    assert multi.user_days("u1") is None


def test_sparse_index_keys_come_and_go_with_the_attribute_they_follow(layout: Layout) -> None:
    open_task = task_to_item(a_task())
    done_task = task_to_item(a_task(completed=True))
    inactive = plan_to_item(dataclasses.replace(a_plan(), is_active=False))
    open_keys = layout.index_values(keys.CALENDAR_TASKS, open_task)
    assert open_keys
    assert all(value is not None for value in open_keys.values())
    assert layout.index_values(keys.CALENDAR_TASKS, done_task) == dict.fromkeys(open_keys)
    assert all(v is None for v in layout.index_values(keys.PLANS, inactive).values())
    assert set(layout.stored(keys.CALENDAR_TASKS, done_task)).isdisjoint(open_keys)


def test_the_single_layouts_streaks_sort_as_numbers() -> None:
    single = layout_for("single", "test", 16)
    sort_keys = [
        single.index_values(keys.PROGRESS, progress_to_item(a_progress(streak=n)))["GSI3SK"]
        for n in (2, 10, 100)
    ]
    assert [value["S"] for value in sort_keys if value] == sorted(
        value["S"] for value in sort_keys if value
    )


def test_an_open_ended_sort_condition_stays_inside_its_kind() -> None:
    expression, values = Sort("<=", "2026-11-25").render("PROGRESS#")
    assert expression == "#sk BETWEEN :s0 AND :s1"
    assert values == {":s0": {"S": "PROGRESS#"}, ":s1": {"S": "PROGRESS#2026-11-25"}}
    expression, values = Sort(">=", "2026-11-25").render("PROGRESS#")
    assert values[":s1"] == {"S": "PROGRESS$"}
    assert Sort("<=", "2026-11-25").render()[0] == "#sk <= :s0"


def test_an_unknown_layout_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown table layout"):
        layout_for("triple", "test", 16)
