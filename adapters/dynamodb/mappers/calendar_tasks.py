"""calendar-tasks table: sort key `YYYY-MM-DD#task_id`, sparse `date_shard` (decision 050)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import (
    AttributeValue,
    Item,
    b,
    d,
    get_bool,
    get_date,
    get_s,
    get_time,
    opt_get_time,
    opt_t,
    put_optional,
    s,
    t,
)
from adapters.dynamodb.mappers.dosage import get_dosage, put_dosage
from domain.calendar import CalendarTask
from domain.plan import Priority

SORT_KEY = "task_date_task_id"
INDEX_ATTRIBUTES = (keys.DATE_SHARD,)


def task_key(task: CalendarTask) -> Item:
    return keys.task_key(task.user_id, task.task_date, task.task_id)


def date_shard(task: CalendarTask, shards: int) -> dict[str, str]:
    """The date-index key of a task: only uncompleted tasks carry it."""
    return s(keys.date_shard_value(task.task_date, keys.shard_of(task.user_id, shards)))


def completion_attributes(task: CalendarTask, shards: int) -> dict[str, AttributeValue | None]:
    """What an update writes when the task's completion changes: `completed`, `completed_at`,
    and the date-index key only while the task is open (None: remove the attribute)."""
    return {
        "completed": b(task.completed),
        "completed_at": opt_t(task.completed_at),
        keys.DATE_SHARD: None if task.completed else date_shard(task, shards),
    }


def task_to_item(task: CalendarTask, shards: int) -> Item:
    """The calendar-tasks item, plus `plan_id` and the day's `dosage` (none on a retest);
    `date_shard` while the task is uncompleted."""
    item: Item = {
        **task_key(task),
        "task_date": d(task.task_date),
        "task_id": s(task.task_id),
        "plan_id": s(task.plan_id),
        "exercise_id": s(task.exercise_id),
        "priority": s(task.priority.value),
        "completed": b(task.completed),
        "created_at": t(task.created_at),
    }
    put_optional(item, "completed_at", opt_t(task.completed_at))
    put_dosage(item, task.dosage)
    if not task.completed:
        item[keys.DATE_SHARD] = date_shard(task, shards)
    return item


def task_from_item(item: Mapping[str, Any]) -> CalendarTask:
    """The task stored in a calendar-tasks item."""
    return CalendarTask(
        user_id=get_s(item, "user_id"),
        task_date=get_date(item, "task_date"),
        task_id=get_s(item, "task_id"),
        plan_id=get_s(item, "plan_id"),
        exercise_id=get_s(item, "exercise_id"),
        priority=Priority(get_s(item, "priority")),
        completed=get_bool(item, "completed"),
        completed_at=opt_get_time(item, "completed_at"),
        created_at=get_time(item, "created_at"),
        dosage=get_dosage(item),
    )
