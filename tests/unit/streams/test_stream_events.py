"""Stream records → domain events: which changes are events, and what their details may hold."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.layout import layout_for
from adapters.dynamodb.mappers.assessments import assessment_to_item
from adapters.dynamodb.mappers.calendar_tasks import task_to_item
from adapters.dynamodb.mappers.plans import plan_to_item
from adapters.dynamodb.mappers.progress import progress_to_item
from adapters.dynamodb.mappers.subscriptions import subscription_to_item
from adapters.dynamodb.mappers.users import reservation_item, user_to_item
from adapters.dynamodb.streams import translate
from application import stream_events
from application.stream_events import (
    ASSESSMENT_COMPLETED,
    PLAN_ACTIVATED,
    SUBSCRIPTION_CHANGED,
    TASK_COMPLETED,
    TIER_CHANGED,
    USER_REGISTERED,
    UntranslatableRecord,
)
from domain.assessment import AssessmentResult, AssessmentStatus
from domain.regions import Region
from domain.scores import Score
from domain.subscription import SubscriptionStatus
from domain.tiers import Tier
from domain.user import change_tier, mask, record_login
from ports.events import DomainEvent
from tests.support.factories import (
    T0,
    a_plan,
    a_progress,
    a_subscription,
    a_task,
    a_user,
    an_assessment,
)
from tests.unit.streams.records import (
    a_record,
    current,
    inserted,
    modified,
    removed,
)

USER_ID = "3f2b8c1e-7d4a-4e6b-9a1c-5b8e2f0d4c71"
EMAIL = "ada.lovelace@example.com"


def events(record: dict[str, Any]) -> tuple[DomainEvent, ...]:
    return translate(record, current.layout)


def only(record: dict[str, Any]) -> DomainEvent:
    found = events(record)
    assert len(found) == 1, found
    return found[0]


def as_text(event: DomainEvent) -> str:
    return json.dumps({"id": event.event_id, "name": event.name, "detail": event.detail})


# --- users -------------------------------------------------------------------------------------


def test_a_new_user_is_registered_by_id_and_mask_without_email() -> None:
    user = a_user(USER_ID, EMAIL)

    event = only(inserted(keys.USERS, user_to_item(user)))

    assert event.name == USER_REGISTERED
    assert event.detail == {
        "user_id": USER_ID,
        "user": mask(USER_ID),
        "tier": "free",
        "occurred_at": "2026-11-25T09:00:00.000Z",
    }
    assert EMAIL not in as_text(event)


def test_the_email_reservation_written_with_a_user_is_no_registration() -> None:
    reservation = reservation_item(USER_ID, T0)

    key = current.layout.email_key(EMAIL)
    assert events(inserted(keys.EMAIL_RESERVATION, reservation, key=key)) == ()


def test_a_tier_change_names_both_tiers() -> None:
    user = a_user(USER_ID, EMAIL)
    upgraded = change_tier(user, Tier.PRO, T0 + timedelta(hours=1))

    event = only(modified(keys.USERS, user_to_item(user), user_to_item(upgraded)))

    assert event.name == TIER_CHANGED
    assert event.detail == {
        "user_id": USER_ID,
        "user": mask(USER_ID),
        "previous_tier": "free",
        "tier": "pro",
        "occurred_at": "2026-11-25T10:00:00.000Z",
    }


def test_a_user_change_that_keeps_the_tier_is_no_event() -> None:
    user = a_user(USER_ID, EMAIL)
    logged_in = record_login(user, T0 + timedelta(hours=1))

    assert events(modified(keys.USERS, user_to_item(user), user_to_item(logged_in))) == ()


def test_erasing_a_user_is_no_event() -> None:
    assert events(removed(keys.USERS, user_to_item(a_user(USER_ID, EMAIL)))) == ()


# --- assessments -------------------------------------------------------------------------------


def test_an_attempt_that_completes_becomes_assessment_completed() -> None:
    started = an_assessment(USER_ID, "a-1", test_id=6)
    done = dataclasses.replace(
        an_assessment(USER_ID, "a-1", test_id=6, status=AssessmentStatus.COMPLETED),
        result=AssessmentResult(Score.LIMITED, 0.8, (Region.SHOULDER,)),
    )

    event = only(modified(keys.ASSESSMENTS, assessment_to_item(started), assessment_to_item(done)))

    assert event.name == ASSESSMENT_COMPLETED
    assert event.detail == {
        "user_id": USER_ID,
        "user": mask(USER_ID),
        "assessment_id": "a-1",
        "test_id": 6,
        "attempt_number": 1,
        "score": "limited",
        "problem_areas": ["shoulder"],
        "occurred_at": "2026-11-25T09:01:00.000Z",
    }


@pytest.mark.parametrize("status", [AssessmentStatus.INVALID, AssessmentStatus.FAILED])
def test_an_attempt_that_ends_otherwise_is_no_event(status: AssessmentStatus) -> None:
    started = an_assessment(USER_ID)
    ended = an_assessment(USER_ID, status=status)

    record = modified(keys.ASSESSMENTS, assessment_to_item(started), assessment_to_item(ended))

    assert events(record) == ()


def test_starting_an_attempt_is_no_event() -> None:
    assert events(inserted(keys.ASSESSMENTS, assessment_to_item(an_assessment()))) == ()


def test_rewriting_a_completed_attempt_completes_nothing_again() -> None:
    done = assessment_to_item(an_assessment(status=AssessmentStatus.COMPLETED))

    assert events(modified(keys.ASSESSMENTS, done, done)) == ()


# --- plans -------------------------------------------------------------------------------------


def test_a_new_active_plan_is_activated() -> None:
    plan = a_plan(USER_ID, version=2)

    event = only(inserted(keys.PLANS, plan_to_item(plan)))

    assert event.name == PLAN_ACTIVATED
    assert event.detail == {
        "user_id": USER_ID,
        "user": mask(USER_ID),
        "plan_id": plan.plan_id,
        "version": 2,
        "tier": "basic",
        "occurred_at": "2026-11-25T09:00:00.000Z",
    }


def test_deactivating_the_previous_plan_is_no_event() -> None:
    active = a_plan(USER_ID)
    inactive = dataclasses.replace(active, is_active=False)

    record = modified(keys.PLANS, plan_to_item(active), plan_to_item(inactive))

    assert events(record) == ()


def test_a_plan_that_turns_active_is_activated() -> None:
    inactive = a_plan(USER_ID, is_active=False)
    active = dataclasses.replace(inactive, is_active=True)

    record = modified(keys.PLANS, plan_to_item(inactive), plan_to_item(active))

    assert only(record).name == PLAN_ACTIVATED


def test_storing_an_inactive_plan_is_no_event() -> None:
    assert events(inserted(keys.PLANS, plan_to_item(a_plan(is_active=False)))) == ()


# --- calendar tasks ----------------------------------------------------------------------------


def test_completing_a_task_becomes_task_completed() -> None:
    task = a_task(USER_ID)
    done = a_task(USER_ID, completed=True)

    event = only(modified(keys.CALENDAR_TASKS, task_to_item(task), task_to_item(done)))

    assert event.name == TASK_COMPLETED
    assert event.detail == {
        "user_id": USER_ID,
        "user": mask(USER_ID),
        "task_id": task.task_id,
        "task_date": "2026-11-25",
        "plan_id": task.plan_id,
        "exercise_id": "ankle-circles",
        "priority": "must",
        "occurred_at": "2026-11-25T09:00:00.000Z",
    }


def test_un_completing_or_scheduling_a_task_is_no_event() -> None:
    task = task_to_item(a_task(USER_ID))
    done = task_to_item(a_task(USER_ID, completed=True))

    assert events(modified(keys.CALENDAR_TASKS, done, task)) == ()
    assert events(inserted(keys.CALENDAR_TASKS, task)) == ()
    assert events(modified(keys.CALENDAR_TASKS, done, done)) == ()


# --- subscriptions -----------------------------------------------------------------------------


def test_a_new_subscription_is_a_change_from_nothing() -> None:
    subscription = a_subscription(USER_ID)

    event = only(inserted(keys.SUBSCRIPTIONS, subscription_to_item(subscription)))

    assert event.name == SUBSCRIPTION_CHANGED
    assert event.detail == {
        "user_id": USER_ID,
        "user": mask(USER_ID),
        "subscription_id": "sub_1",
        "status": "active",
        "tier": "pro",
        "cancel_at_period_end": False,
        "current_period_end": "2026-12-25T09:00:00.000Z",
        "previous": None,
        "occurred_at": "2026-11-25T09:00:00.000Z",
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"cancel_at_period_end": True},
        {"status": SubscriptionStatus.PAST_DUE},
        {"tier": Tier.PROPLUS},
    ],
)
def test_a_change_of_status_tier_or_cancellation_names_the_previous_state(
    changes: dict[str, Any],
) -> None:
    before = a_subscription(USER_ID)
    after = dataclasses.replace(before, **changes, last_event_id="evt_2")

    event = only(
        modified(keys.SUBSCRIPTIONS, subscription_to_item(before), subscription_to_item(after))
    )

    assert event.detail["previous"] == {
        "status": "active",
        "tier": "pro",
        "cancel_at_period_end": False,
    }


def test_a_subscription_write_that_only_moves_the_event_watermark_is_no_event() -> None:
    before = a_subscription(USER_ID)
    after = dataclasses.replace(before, last_event_id="evt_2", last_event_at=T0 + timedelta(1))

    record = modified(keys.SUBSCRIPTIONS, subscription_to_item(before), subscription_to_item(after))

    assert events(record) == ()


# --- tables without events, ids, unreadable records --------------------------------------------


def test_progress_and_limits_changes_are_no_events() -> None:
    progress = a_progress(USER_ID, total=2, completed=1)

    assert events(inserted(keys.PROGRESS, progress_to_item(progress))) == ()
    assert events(a_record(keys.USER_LIMITS, "INSERT", new={"user_id": {"S": USER_ID}})) == ()


def test_a_redelivered_record_gives_the_same_event_id_and_another_record_another() -> None:
    item = user_to_item(a_user(USER_ID, EMAIL))

    first = only(inserted(keys.USERS, item, sequence_number="500"))
    again = only(inserted(keys.USERS, item, sequence_number="500"))
    later = only(inserted(keys.USERS, item, sequence_number="501"))

    assert first.event_id == again.event_id
    assert first.event_id != later.event_id
    assert USER_ID not in first.event_id


def test_a_record_of_another_stages_table_is_untranslatable() -> None:
    record = a_record(
        keys.USERS,
        "INSERT",
        new=user_to_item(a_user(USER_ID)),
        layout=layout_for(current.layout.name, "prod", current.layout.shards),
    )

    with pytest.raises(UntranslatableRecord):
        events(record)


def test_an_unreadable_image_is_untranslatable_and_the_message_holds_no_value() -> None:
    item = user_to_item(a_user(USER_ID, EMAIL))
    item["tier"] = {"N": "3"}

    with pytest.raises(UntranslatableRecord) as raised:
        events(inserted(keys.USERS, item))

    assert "tier" in str(raised.value)
    assert USER_ID not in str(raised.value)
    assert EMAIL not in str(raised.value)


def test_a_record_without_sequence_number_is_untranslatable() -> None:
    record = inserted(keys.USERS, user_to_item(a_user(USER_ID)))
    del record["dynamodb"]["SequenceNumber"]

    with pytest.raises(UntranslatableRecord):
        events(record)


def test_the_stream_rules_name_the_adapters_entities() -> None:
    named = {
        stream_events.USERS,
        stream_events.SUBSCRIPTIONS,
        stream_events.ASSESSMENTS,
        stream_events.PLANS,
        stream_events.CALENDAR_TASKS,
    }
    assert named <= set(keys.ALL_TABLES)


def test_an_item_of_the_stage_that_names_no_entity_is_untranslatable() -> None:
    record = inserted(keys.USERS, user_to_item(a_user(USER_ID)))
    record["dynamodb"]["NewImage"].pop("entity", None)
    if current.layout.name == "single":
        with pytest.raises(UntranslatableRecord):
            events(record)
    else:  # the table names the entity
        assert [event.name for event in events(record)] == [USER_REGISTERED]
