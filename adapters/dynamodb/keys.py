"""Key construction for the eight tables: the one place that knows partition, sort and index keys.

A second layout (single-table design) would replace the functions here and the table
definition, not the repositories' logic.
"""

from __future__ import annotations

import hashlib
from datetime import date

# Logical table names (the physical name is flowlogic-{stage}-{logical}).
USERS = "users"
SUBSCRIPTIONS = "subscriptions"
ASSESSMENTS = "assessments"
PLANS = "plans"
CALENDAR_TASKS = "calendar-tasks"
PROGRESS = "progress"
USER_LIMITS = "user-limits"
MIGRATIONS = "migrations"

USER_TABLES = (USERS, SUBSCRIPTIONS, ASSESSMENTS, PLANS, CALENDAR_TASKS, PROGRESS, USER_LIMITS)
ALL_TABLES = (*USER_TABLES, MIGRATIONS)

# Index names are the schema's; the key attributes of the shared-key indexes are sharded
# extension attributes (docs/decisions/050-index-keys.md).
EMAIL_INDEX = "email-index"
STRIPE_CUSTOMER_INDEX = "stripe-customer-index"
TEST_TYPE_INDEX = "test-type-index"
MONTH_INDEX = "month-index"
ACTIVE_INDEX = "active-index"
DATE_INDEX = "date-index"
STREAK_INDEX = "streak-index"
# Not in the schema: a local index (user_id, created_at) for a user's attempts newest first
# (docs/decisions/081-assessments-by-time-local-index.md).
CREATED_INDEX = "created-index"

TEST_SHARD = "test_shard"
MONTH_SHARD = "month_shard"
ACTIVE_SHARD = "active_shard"
DATE_SHARD = "date_shard"

# The email reservation lives in the users table under a key no UUID can take.
EMAIL_RESERVATION_PREFIX = "EMAIL#"


def shard_of(user_id: str, shards: int) -> int:
    """A user's shard: stable, evenly spread, independent of Python's hash seed."""
    digest = hashlib.blake2b(user_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shards


def user_key(user_id: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}}


def email_reservation_key(email: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": EMAIL_RESERVATION_PREFIX + email}}


def subscription_key(user_id: str, subscription_id: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}, "subscription_id": {"S": subscription_id}}


def assessment_key(user_id: str, assessment_id: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}, "assessment_id": {"S": assessment_id}}


def test_shard_value(test_id: int, shard: int) -> str:
    return f"{test_id:02d}#{shard:03d}"


def month_shard_value(month_key: str, shard: int) -> str:
    return f"{month_key}#{shard:03d}"


def plan_key(user_id: str, plan_id: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}, "plan_id": {"S": plan_id}}


def active_shard_value(shard: int) -> str:
    return f"ACTIVE#{shard:03d}"


def task_sort_key(task_date: date, task_id: str) -> str:
    return f"{task_date.isoformat()}#{task_id}"


def task_date_prefix(task_date: date) -> str:
    """The sort key prefix shared by every task of one date."""
    return f"{task_date.isoformat()}#"


def task_key(user_id: str, task_date: date, task_id: str) -> dict[str, dict[str, str]]:
    return {
        "user_id": {"S": user_id},
        "task_date_task_id": {"S": task_sort_key(task_date, task_id)},
    }


def date_shard_value(task_date: date, shard: int) -> str:
    return f"{task_date.isoformat()}#{shard:03d}"


def progress_key(user_id: str, day: date) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}, "date": {"S": day.isoformat()}}


def limits_key(user_id: str) -> dict[str, dict[str, str]]:
    return {"user_id": {"S": user_id}}


def migration_key(version: str) -> dict[str, dict[str, str]]:
    return {"version": {"S": version}}
