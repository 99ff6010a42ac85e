"""The two layouts without AWS: keys name their kind, items keep their documented attributes,
sparse index keys follow the attribute they depend on, and entities are told apart."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.layout import LAYOUTS, Layout, Sort, layout_for
from adapters.dynamodb.layout_single import CONSTANT_SORT, SORT_PREFIX
from adapters.dynamodb.mappers.assessments import assessment_to_item
from adapters.dynamodb.mappers.calendar_tasks import task_to_item
from adapters.dynamodb.mappers.plans import plan_to_item
from adapters.dynamodb.mappers.progress import progress_to_item
from adapters.dynamodb.mappers.subscriptions import subscription_to_item
from adapters.dynamodb.mappers.user_limits import limits_to_item
from adapters.dynamodb.mappers.users import user_to_item
from tests.support.factories import (
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
    kinds = [*SORT_PREFIX.values(), *CONSTANT_SORT.values()]
    for first, second in itertools.permutations(kinds, 2):
        assert not second.startswith(first), (first, second)


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
