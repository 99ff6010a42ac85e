"""calendar-tasks: one task of a user's date (the layout adds the sort key and the sparse
index key of uncompleted tasks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def completion_attributes(task: CalendarTask) -> dict[str, AttributeValue | None]:
    """What an update writes when the task's completion changes: `completed` and
    `completed_at` (None: remove it). The layout adds the open-task index key."""
    return {"completed": b(task.completed), "completed_at": opt_t(task.completed_at)}


def task_to_item(task: CalendarTask) -> Item:
    """The documented attributes of a task, plus `plan_id` and the day's `dosage` (none on a
    retest)."""
    item: Item = {
        "user_id": s(task.user_id),
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
