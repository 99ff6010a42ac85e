"""What must hold after any race, read back through the ports: each check returns the
violations it found (empty when the invariant holds), so a test can assert `== []`."""

from __future__ import annotations

from datetime import date, timedelta

from application.progress_sync import counts_by_date
from domain.progress import counts_for_streak
from tests.support.stores import Stores

FAR = timedelta(days=800)


def progress_violations(stores: Stores, user_id: str, first: date, last: date) -> list[str]:
    """Every date's progress counts equal its tasks' states, and streaks follow SPEC.md 7:
    streak(d) = 0 unless d counts, else 1 + streak(latest earlier date with tasks)."""
    found: list[str] = []
    counts = counts_by_date(stores.calendar.between(user_id, first - FAR, last + FAR))
    items = stores.progress.between(user_id, first - FAR, last + FAR)
    by_date = {item.date: item for item in items}
    for day, (total, completed) in sorted(counts.items()):
        item = by_date.get(day)
        if item is None:
            found.append(f"{day}: {total} tasks but no progress item")
        elif (item.tasks_total, item.tasks_completed) != (total, completed):
            found.append(
                f"{day}: progress says {item.tasks_completed}/{item.tasks_total}, "
                f"tasks say {completed}/{total}"
            )
    for day, item in by_date.items():
        if item.tasks_total and day not in counts:
            found.append(f"{day}: progress counts {item.tasks_total} tasks, none stored")
    streak = 0
    for item in sorted(items, key=lambda p: p.date):
        if not item.has_tasks:
            continue
        streak = streak + 1 if counts_for_streak(item.completion_percentage) else 0
        if item.streak != streak:
            found.append(f"{item.date}: streak {item.streak}, the recurrence gives {streak}")
    return found
