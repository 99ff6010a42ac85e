"""Progress follows the calendar: recount the dates whose tasks changed, restreak every later date.

Shared by the use cases that add, remove or complete tasks (schedule_calendar, generate_plan,
set_task_completion). Reads only; the caller writes the changed items with its task write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.calendar import MAX_WINDOW_DAYS, CalendarTask
from domain.progress import Progress, progress_for, restreak, with_counts
from ports.progress import ProgressChain, ProgressRepository

SCHEDULE_AHEAD_DAYS = 365
"""A scheduling window starts at most this many days after the user's today (decision 076)."""


def horizon(today: date) -> date:
    """The last date a task or a progress item with tasks can have, seen from `today`."""
    return today + timedelta(days=SCHEDULE_AHEAD_DAYS + MAX_WINDOW_DAYS)


def counts_by_date(tasks: Iterable[CalendarTask]) -> dict[date, tuple[int, int]]:
    """(tasks_total, tasks_completed) of every date the tasks fall on."""
    counts: dict[date, tuple[int, int]] = {}
    for task in tasks:
        total, completed = counts.get(task.task_date, (0, 0))
        counts[task.task_date] = (total + 1, completed + int(task.completed))
    return counts


@dataclass(frozen=True, slots=True)
class ProgressChanges:
    """`changed`: the items to write, oldest first; `by_date`: every item from the first date on."""

    changed: tuple[Progress, ...]
    by_date: Mapping[date, Progress]


def chain_from(
    progress: ProgressRepository, user_id: str, first: date, last: date, today: date
) -> ProgressChain:
    """The items from `first` to the horizon (or `last`, when later), and the streak they
    continue: one request (decision 118).

    Read it BEFORE the tasks whose counts it will take. Every write of a task writes its date's
    progress item, revision-guarded, so a task that moves after this read moves the item too
    and the guarded write of the recount fails: counts are never decided from tasks newer or
    older than the items they replace (decision 141).
    """
    return progress.chain(user_id, first, max(last, horizon(today)))


def recount(
    chain: ProgressChain,
    user_id: str,
    counts: Mapping[date, tuple[int, int]],
    now: datetime,
) -> ProgressChanges:
    """The chain's items once the given dates have these (total, completed) task counts.

    `chain` runs from the first of those dates to the horizon. A date without an item gets one
    when it has tasks; counts move with `with_counts`; then the streaks of that date and every
    later one are recomputed, starting from the stored streak of the latest earlier date with
    tasks (SPEC.md 7: changing yesterday recomputes today).
    """
    if not counts:
        return ProgressChanges((), {})
    days = {item.date: item for item in chain.items}
    recounted: set[date] = set()
    for day, (total, completed) in counts.items():
        stored = days.get(day)
        if stored is None and total == 0:
            continue  # a date that never had tasks needs no item
        if stored is None:
            item = progress_for(user_id, day, total, completed, now)
        else:
            item = with_counts(stored, total, completed, now)
        if item is not stored:
            days[day] = item
            recounted.add(day)
    before = chain.before
    ordered = [days[day] for day in sorted(days)]
    restreaked = {
        item.date: item for item in restreak(ordered, before.streak if before else 0, now)
    }
    final = {day: restreaked.get(day, item) for day, item in days.items()}
    changed = tuple(final[day] for day in sorted(final) if day in recounted or day in restreaked)
    return ProgressChanges(changed, final)


def guarded_items(changes: ProgressChanges, touched: Iterable[date]) -> tuple[Progress, ...]:
    """The items a write of tasks on the `touched` dates must carry: the changed ones, and the
    stored item of every touched date even when its counts came out unchanged.

    Its revision guards the write: without it, tasks added or removed on a date whose item was
    read before a concurrent change (and happened to show the counts decided on) would land
    unguarded, and the item would stop counting them (decision 141).
    """
    written = {item.date: item for item in changes.changed}
    for day in touched:
        if day not in written and day in changes.by_date:
            written[day] = changes.by_date[day]
    return tuple(written[day] for day in sorted(written))
