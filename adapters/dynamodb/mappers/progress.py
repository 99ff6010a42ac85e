"""progress table: one item per user and date, with the `revision` guard (decision 053)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import (
    Item,
    d,
    get_date,
    get_int,
    get_list,
    get_s,
    get_time,
    n,
    s,
    t,
)
from domain.progress import Progress, TestImprovement


def progress_to_item(progress: Progress) -> Item:
    """The progress item; `test_improvements` is always a list (empty when there are none)."""
    return {
        "user_id": s(progress.user_id),
        "date": d(progress.date),
        "completion_percentage": n(progress.completion_percentage),
        "tasks_completed": n(progress.tasks_completed),
        "tasks_total": n(progress.tasks_total),
        "streak": n(progress.streak),
        "streak_points": n(progress.streak_points),
        "test_improvements": {
            "L": [
                {
                    "M": {
                        "test_id": n(entry.test_id),
                        "improvement_percentage": n(entry.improvement_percentage),
                    }
                }
                for entry in progress.test_improvements
            ]
        },
        "created_at": t(progress.created_at),
        "updated_at": t(progress.updated_at),
        "revision": n(progress.revision),
    }


def progress_from_item(item: Mapping[str, Any]) -> Progress:
    """The progress stored in a progress item."""
    entries = get_list(item, "test_improvements") if "test_improvements" in item else []
    return Progress(
        user_id=get_s(item, "user_id"),
        date=get_date(item, "date"),
        tasks_total=get_int(item, "tasks_total"),
        tasks_completed=get_int(item, "tasks_completed"),
        completion_percentage=get_int(item, "completion_percentage"),
        streak=get_int(item, "streak"),
        streak_points=get_int(item, "streak_points"),
        test_improvements=tuple(
            TestImprovement(
                test_id=get_int(entry["M"], "test_id"),
                improvement_percentage=get_int(entry["M"], "improvement_percentage"),
            )
            for entry in entries
        ),
        created_at=get_time(item, "created_at"),
        updated_at=get_time(item, "updated_at"),
        revision=get_int(item, "revision") if "revision" in item else 0,
    )
