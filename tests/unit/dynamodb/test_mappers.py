"""Entity <-> item mappers, and the items the multi layout stores from them, without AWS: round
trips, names and types."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import CorruptItem
from adapters.dynamodb.layout_multi import ACTIVE_SHARD, DATE_SHARD, MultiLayout, table_by_logical
from adapters.dynamodb.mappers.assessments import assessment_from_item, assessment_to_item
from adapters.dynamodb.mappers.calendar_tasks import task_from_item, task_to_item
from adapters.dynamodb.mappers.migrations import migration_from_item, migration_to_item
from adapters.dynamodb.mappers.plans import plan_from_item, plan_to_item
from adapters.dynamodb.mappers.progress import progress_from_item, progress_to_item
from adapters.dynamodb.mappers.subscriptions import subscription_from_item, subscription_to_item
from adapters.dynamodb.mappers.user_limits import limits_from_item, limits_to_item
from adapters.dynamodb.mappers.users import reservation_item, user_from_item, user_to_item
from domain.assessment import AssessmentResult, AssessmentStatus
from domain.dosage import hold, reps
from domain.limits import AttemptCounts
from domain.progress import TestImprovement
from domain.regions import Region
from domain.scores import Score
from domain.tiers import Tier
from ports.migrations import AppliedMigration
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

SHARDS = 16
MULTI = MultiLayout("test", SHARDS)
LATER = T0 + timedelta(hours=1, milliseconds=250)


def types_of(item: Mapping[str, Any]) -> dict[str, str]:
    """Each attribute's AttributeValue type letter(s)."""
    return {name: next(iter(value)) for name, value in item.items()}


def test_a_user_round_trips_with_the_schemas_attributes_and_its_timezone() -> None:
    user = dataclasses.replace(
        a_user(name="Ada", timezone="Europe/Paris"),
        wellness_disclaimer_accepted=True,
        wellness_disclaimer_accepted_at=LATER,
        last_login_at=LATER,
    )
    item = user_to_item(user)
    assert types_of(item) == {
        "user_id": "S",
        "email": "S",
        "name": "S",
        "tier": "S",
        "wellness_disclaimer_accepted": "BOOL",
        "wellness_disclaimer_accepted_at": "S",
        "created_at": "S",
        "updated_at": "S",
        "last_login_at": "S",
        "timezone": "S",
    }
    assert item["last_login_at"] == {"S": "2026-11-25T10:00:00.250Z"}
    assert user_from_item(item) == user


def test_a_users_absent_optionals_are_left_out_of_the_item() -> None:
    item = user_to_item(a_user())
    assert {"name", "last_login_at", "wellness_disclaimer_accepted_at"}.isdisjoint(item)
    assert user_from_item(item) == a_user()


def test_an_email_reservation_has_no_email_so_it_is_not_a_user() -> None:
    key = MULTI.email_key("ada@example.com")
    item = MULTI.stored(keys.EMAIL_RESERVATION, reservation_item("user-1", T0), key)
    assert item["user_id"] == {"S": "EMAIL#ada@example.com"}
    assert "email" not in item
    users = MULTI.table(keys.USERS)
    assert MULTI.entity_of(users, item) == keys.EMAIL_RESERVATION
    assert MULTI.entity_of(users, MULTI.stored(keys.USERS, user_to_item(a_user()))) == keys.USERS


def test_limits_round_trip_with_counts_windows_strikes_ban_and_revision() -> None:
    limits = limits_for(
        "user-1",
        Tier.PRO,
        video_quota_used_hourly=2,
        video_quota_used_daily=4,
        test_quota_used_monthly=2,
        attempts_per_test=AttemptCounts({3: 2, 11: 1}),
        hour_window="2026-11-25T09",
        day_window="2026-11-25",
        month_window="2026-11",
        tests_this_month=frozenset({3, 11}),
        strikes=4,
        strike_window="2026-11-25T09",
        ban_until=LATER,
        ban_reason="VIDEO_ABUSE",
        revision=7,
    )
    item = limits_to_item(limits)
    assert item["attempts_per_test"] == {"M": {"11": {"N": "1"}, "3": {"N": "2"}}}
    assert item["tests_this_month"] == {"L": [{"N": "3"}, {"N": "11"}]}
    assert item["video_quota_day"] == {"N": "21"}
    assert item["revision"] == {"N": "7"}
    assert types_of(item)["ban_until"] == "S"
    assert limits_from_item(item) == limits


def test_fresh_limits_keep_empty_windows_and_no_ban() -> None:
    limits = limits_for("user-1")
    item = limits_to_item(limits)
    assert item["hour_window"] == {"S": ""}
    assert "ban_until" not in item
    assert "ban_reason" not in item
    assert limits_from_item(item) == limits


def test_a_finished_assessment_keeps_its_nested_result_and_normalized_output() -> None:
    output = {
        "landmarks": [{"x": 0.1, "y": 0.25, "visible": True}, {"x": 1, "y": None}],
        "frames": 120,
        "label": "squat",
        "nested": {"empty": [], "deep": {"ratio": 1e-07}},
    }
    result = AssessmentResult(Score.LIMITED, 0.83, (Region.ANKLE, Region.KNEE), output)
    assessment = an_assessment(
        status=AssessmentStatus.COMPLETED,
        result=result,
        quality_score=0.1,
        confidence_avg=0.75,
        motion_variance=0.3,
    )
    item = MULTI.stored(keys.ASSESSMENTS, assessment_to_item(assessment))
    body = item["result"]["M"]
    assert body["confidence"] == {"N": "0.83"}
    assert body["problem_areas"] == {"L": [{"S": "ankle"}, {"S": "knee"}]}
    landmarks = body["normalized_output"]["M"]["landmarks"]["L"]
    assert landmarks[0]["M"] == {"x": {"N": "0.1"}, "y": {"N": "0.25"}, "visible": {"BOOL": True}}
    assert landmarks[1]["M"]["y"] == {"NULL": True}
    assert item["quality_score"] == {"N": "0.1"}
    assert assessment_from_item(item) == assessment


def test_an_assessment_carries_the_schemas_types_and_its_shard_keys() -> None:
    assessment = an_assessment(test_id=7)
    item = MULTI.stored(keys.ASSESSMENTS, assessment_to_item(assessment))
    shard = keys.shard_of("user-1", SHARDS)
    assert types_of(item) == {
        "user_id": "S",
        "assessment_id": "S",
        "test_id": "N",
        "test_name": "S",
        "video_url": "S",
        "status": "S",
        "attempt_number": "N",
        "created_at": "S",
        "month_key": "S",
        "test_shard": "S",
        "month_shard": "S",
    }
    assert item["test_shard"] == {"S": f"07#{shard:03d}"}
    assert item["month_shard"] == {"S": f"2026-11#{shard:03d}"}
    assert assessment_from_item(item) == assessment


def test_an_active_plan_carries_active_shard_and_an_inactive_one_does_not() -> None:
    plan = a_plan()
    item = MULTI.stored(keys.PLANS, plan_to_item(plan))
    assert item["is_active"] == {"BOOL": True}
    assert item[ACTIVE_SHARD] == {"S": f"ACTIVE#{keys.shard_of('user-1', SHARDS):03d}"}
    assert item["problem_areas"] == {"M": {"p1": {"L": [{"S": "ankle"}]}, "p2": {"L": []}}}
    assert item["based_on_tests"] == {"L": [{"N": "1"}]}
    assert item["phases"]["L"][0]["M"]["duration_weeks"] == {"N": "2"}
    assert plan_from_item(item) == plan
    inactive = MULTI.stored(keys.PLANS, plan_to_item(dataclasses.replace(plan, is_active=False)))
    assert ACTIVE_SHARD not in inactive
    assert inactive["is_active"] == {"BOOL": False}


def test_a_plan_exercise_stores_its_dosage_as_a_map_of_numbers() -> None:
    plan = a_plan()
    item = plan_to_item(plan)
    assert item["exercises"]["L"][0]["M"]["dosage"] == {
        "M": {"sets": {"N": "2"}, "rest_seconds": {"N": "30"}, "reps": {"N": "10"}}
    }
    assert plan_from_item(item).exercises[0].dosage == reps(2, 10, 30)


def test_a_plan_stored_before_dosage_reads_without_one() -> None:
    item = plan_to_item(a_plan())
    del item["exercises"]["L"][0]["M"]["dosage"]
    assert plan_from_item(item).exercises[0].dosage is None


def test_a_task_stores_the_days_dosage_and_a_retest_none() -> None:
    task = a_task(dosage=hold(3, 35, 45))
    item = task_to_item(task)
    assert item["dosage"] == {
        "M": {"sets": {"N": "3"}, "rest_seconds": {"N": "45"}, "hold_seconds": {"N": "35"}}
    }
    assert task_from_item(item) == task
    retest = a_task(exercise_id="retest-1")
    assert "dosage" not in task_to_item(retest)
    assert task_from_item(task_to_item(retest)) == retest


def test_an_open_task_carries_date_shard_and_a_completed_one_does_not() -> None:
    task = a_task()
    item = MULTI.stored(keys.CALENDAR_TASKS, task_to_item(task))
    assert item["task_date_task_id"] == {"S": f"2026-11-25#{task.task_id}"}
    assert item[DATE_SHARD] == {"S": f"2026-11-25#{keys.shard_of('user-1', SHARDS):03d}"}
    assert types_of(item) == {
        "user_id": "S",
        "task_date_task_id": "S",
        "task_date": "S",
        "task_id": "S",
        "plan_id": "S",
        "exercise_id": "S",
        "priority": "S",
        "completed": "BOOL",
        "created_at": "S",
        "date_shard": "S",
    }
    assert task_from_item(item) == task
    done = a_task(completed=True)
    done_item = MULTI.stored(keys.CALENDAR_TASKS, task_to_item(done))
    assert DATE_SHARD not in done_item
    assert done_item["completed_at"] == {"S": "2026-11-25T09:00:00.000Z"}
    assert task_from_item(done_item) == done


def test_progress_round_trips_with_improvements_and_revision() -> None:
    progress = a_progress(
        total=4,
        completed=3,
        streak=5,
        revision=2,
        improvements=(TestImprovement(1, 50), TestImprovement(4, -100)),
    )
    item = progress_to_item(progress)
    assert item["date"] == {"S": "2026-11-25"}
    assert item["completion_percentage"] == {"N": "75"}
    assert item["streak_points"] == {"N": "1"}
    assert item["test_improvements"]["L"][1] == {
        "M": {"test_id": {"N": "4"}, "improvement_percentage": {"N": "-100"}}
    }
    assert progress_from_item(item) == progress
    assert progress_to_item(a_progress())["test_improvements"] == {"L": []}


def test_a_subscription_round_trips_with_its_watermark() -> None:
    sub = a_subscription(canceled_at=LATER, cancel_at_period_end=True)
    item = subscription_to_item(sub)
    assert item["cancel_at_period_end"] == {"BOOL": True}
    assert item["last_event_id"] == {"S": "evt_1"}
    assert subscription_from_item(item) == sub
    assert "canceled_at" not in subscription_to_item(a_subscription())


def test_a_migration_record_round_trips() -> None:
    record = AppliedMigration("003", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "backfill", "ops")
    item = migration_to_item(record)
    assert item == {
        "version": {"S": "003"},
        "applied_at": {"S": "2026-01-02T03:04:05.000Z"},
        "description": {"S": "backfill"},
        "author": {"S": "ops"},
    }
    assert migration_from_item(item) == record


def test_times_below_a_millisecond_are_dropped_as_the_schema_stores_them() -> None:
    task = a_task(created_at=T0 + timedelta(microseconds=1_999))
    stored = task_from_item(MULTI.stored(keys.CALENDAR_TASKS, task_to_item(task)))
    assert stored.created_at == T0 + timedelta(milliseconds=1)


@pytest.mark.parametrize(
    ("logical", "item"),
    [
        (keys.USERS, MULTI.stored(keys.USERS, user_to_item(a_user()))),
        (keys.ASSESSMENTS, MULTI.stored(keys.ASSESSMENTS, assessment_to_item(an_assessment()))),
        (keys.PLANS, MULTI.stored(keys.PLANS, plan_to_item(a_plan()))),
        (keys.CALENDAR_TASKS, MULTI.stored(keys.CALENDAR_TASKS, task_to_item(a_task()))),
        (keys.PROGRESS, MULTI.stored(keys.PROGRESS, progress_to_item(a_progress()))),
        (
            keys.SUBSCRIPTIONS,
            MULTI.stored(keys.SUBSCRIPTIONS, subscription_to_item(a_subscription())),
        ),
        (keys.USER_LIMITS, MULTI.stored(keys.USER_LIMITS, limits_to_item(limits_for()))),
    ],
)
def test_every_key_attribute_an_item_carries_has_the_tables_declared_type(
    logical: str, item: Mapping[str, Any]
) -> None:
    declared = table_by_logical(logical).key_attributes()
    carried = {name: kind for name, kind in types_of(item).items() if name in declared}
    assert carried == {name: declared[name] for name in carried}
    table = table_by_logical(logical)
    assert table.partition[0] in item
    if table.sort is not None:
        assert table.sort[0] in item


def test_an_item_missing_a_required_attribute_is_reported_as_corrupt() -> None:
    item = user_to_item(a_user())
    del item["tier"]
    with pytest.raises(CorruptItem):
        user_from_item(item)
    with pytest.raises(CorruptItem):
        user_from_item({**user_to_item(a_user()), "email": {"N": "1"}})


def test_the_days_of_a_task_and_progress_key_sort_as_dates() -> None:
    assert keys.task_sort_key(DAY0, "x") < keys.task_sort_key(DAY0 + timedelta(days=1), "a")
