"""What both layouts share about keys: the entities (the documented table names), the shard of a
user, and the sharded values of the cross-user index keys (decisions 050 and 080).

Where an entity is stored, under which key attributes and index names, is the layout's business
(adapters/dynamodb/layout.py); nothing else composes a key.
"""

from __future__ import annotations

import hashlib
from datetime import date

# Entities, named after the documented tables (the `entity` attribute of the single layout).
USERS = "users"
SUBSCRIPTIONS = "subscriptions"
ASSESSMENTS = "assessments"
PLANS = "plans"
CALENDAR_TASKS = "calendar-tasks"
PROGRESS = "progress"
USER_LIMITS = "user-limits"
MIGRATIONS = "migrations"
# Internal: the reservation that makes an email unique (decision 051); no documented table.
EMAIL_RESERVATION = "email-reservation"

USER_TABLES = (USERS, SUBSCRIPTIONS, ASSESSMENTS, PLANS, CALENDAR_TASKS, PROGRESS, USER_LIMITS)
ALL_TABLES = (*USER_TABLES, MIGRATIONS)
ENTITIES = (*ALL_TABLES, EMAIL_RESERVATION)


def shard_of(user_id: str, shards: int) -> int:
    """A user's shard: stable, evenly spread, independent of Python's hash seed."""
    digest = hashlib.blake2b(user_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shards


def test_shard_value(test_id: int, shard: int) -> str:
    return f"{test_id:02d}#{shard:03d}"


def month_shard_value(month_key: str, shard: int) -> str:
    return f"{month_key}#{shard:03d}"


def active_shard_value(shard: int) -> str:
    return f"ACTIVE#{shard:03d}"


def date_shard_value(task_date: date, shard: int) -> str:
    return f"{task_date.isoformat()}#{shard:03d}"


def task_sort_key(task_date: date, task_id: str) -> str:
    """A task's place among a user's tasks: by date, then id."""
    return f"{task_date.isoformat()}#{task_id}"


def task_date_prefix(task_date: date) -> str:
    """The sort value prefix shared by every task of one date."""
    return f"{task_date.isoformat()}#"
