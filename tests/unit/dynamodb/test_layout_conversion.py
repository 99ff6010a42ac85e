"""Converting stored items between layouts (`flowlogic layout copy`): what one layout stores
becomes exactly what the other stores for the same entity, and back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.layout import Layout, layout_for
from adapters.dynamodb.layout_copy import convert
from adapters.dynamodb.mappers.assessments import assessment_to_item
from adapters.dynamodb.mappers.calendar_tasks import task_to_item
from adapters.dynamodb.mappers.migrations import migration_to_item
from adapters.dynamodb.mappers.plans import plan_to_item
from adapters.dynamodb.mappers.progress import progress_to_item
from adapters.dynamodb.mappers.subscriptions import subscription_to_item
from adapters.dynamodb.mappers.user_limits import limits_to_item
from adapters.dynamodb.mappers.users import reservation_item, user_to_item
from ports.migrations import AppliedMigration
from tests.support.factories import (
    a_plan,
    a_progress,
    a_subscription,
    a_task,
    a_user,
    an_assessment,
    limits_for,
)

MULTI = layout_for("multi", "conv", 16)
SINGLE = layout_for("single", "conv", 16)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EMAIL = "ada+x@example.com"

DOCUMENTED: dict[str, Item] = {
    keys.USERS: user_to_item(a_user("ada", EMAIL)),
    keys.USER_LIMITS: limits_to_item(limits_for("ada")),
    keys.SUBSCRIPTIONS: subscription_to_item(a_subscription("ada")),
    keys.ASSESSMENTS: assessment_to_item(an_assessment("ada")),
    keys.PLANS: plan_to_item(a_plan("ada")),
    "closed-plan": plan_to_item(a_plan("ada", 2, is_active=False)),
    keys.CALENDAR_TASKS: task_to_item(a_task("ada")),
    "done-task": task_to_item(a_task("ada", completed=True)),
    keys.PROGRESS: progress_to_item(a_progress("ada", streak=7)),
    keys.MIGRATIONS: migration_to_item(AppliedMigration("003", NOW, "backfill", "ops")),
}


def entity_of(name: str) -> str:
    return {"closed-plan": keys.PLANS, "done-task": keys.CALENDAR_TASKS}.get(name, name)


def stored(layout: Layout, name: str) -> tuple[str, Item]:
    entity = entity_of(name)
    return layout.table(entity), layout.stored(entity, DOCUMENTED[name])


def reservation(layout: Layout) -> tuple[str, Item]:
    key = layout.email_key(EMAIL)
    item = layout.stored(keys.EMAIL_RESERVATION, reservation_item("ada", NOW), key)
    return layout.table(keys.EMAIL_RESERVATION), item


def text(item: Mapping[str, Any]) -> str:
    return json.dumps(item, sort_keys=True)


@pytest.mark.parametrize("name", list(DOCUMENTED))
@pytest.mark.parametrize(("source", "target"), [(MULTI, SINGLE), (SINGLE, MULTI)])
def test_an_item_becomes_what_the_other_layout_stores(
    name: str, source: Layout, target: Layout
) -> None:
    table, item = stored(source, name)

    converted = convert(source, target, table, item)

    assert converted is not None
    assert converted.entity == entity_of(name)
    assert (converted.table, text(converted.item)) == (
        stored(target, name)[0],
        text(stored(target, name)[1]),
    )


@pytest.mark.parametrize(("source", "target"), [(MULTI, SINGLE), (SINGLE, MULTI)])
def test_an_email_reservation_keeps_its_email_and_owner(source: Layout, target: Layout) -> None:
    table, item = reservation(source)

    converted = convert(source, target, table, item)

    assert converted is not None
    assert converted.entity == keys.EMAIL_RESERVATION
    assert text(converted.item) == text(reservation(target)[1])


def test_the_round_trip_gives_back_the_item() -> None:
    for name in DOCUMENTED:
        table, item = stored(MULTI, name)
        there = convert(MULTI, SINGLE, table, item)
        assert there is not None
        back = convert(SINGLE, MULTI, there.table, there.item)
        assert back is not None
        assert (back.table, text(back.item)) == (table, text(item)), name


def test_an_item_of_no_known_entity_is_left_behind() -> None:
    stray = {"PK": {"S": "OTHER#1"}, "SK": {"S": "X"}}

    assert convert(SINGLE, MULTI, SINGLE.table_names()[0], stray) is None
    assert convert(MULTI, SINGLE, "someone-elses-table", {"user_id": {"S": "u"}}) is None
