"""Daily progress, streak points, streaks and test improvements (SPEC.md section 7).

A streak is defined by a recurrence over the dates that have tasks:
`streak(d) = 0` when d does not count, else `1 + streak(p)`, p being the latest earlier date with
tasks. Each item stores its own streak, so a change to one date is followed by `restreak` over the
later dates (changing yesterday recomputes today).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from domain.catalog import test_by_id
from domain.errors import ValidationFailed
from domain.scores import Score

COUNTING_THRESHOLD = 70
"""A date counts for the streak from this completion percentage on."""


def completion_percentage(completed: int, total: int) -> int:
    """floor(100 · completed / total), and 0 for a date without tasks."""
    if total == 0:
        return 0
    return 100 * completed // total


def streak_points(percentage: int) -> int:
    """+2 at 100 %, +1 at 70–99 %, 0 below 70 %."""
    if percentage >= 100:
        return 2
    if percentage >= COUNTING_THRESHOLD:
        return 1
    return 0


def counts_for_streak(percentage: int) -> bool:
    """A date counts for the streak when at least 70 % of its tasks are done."""
    return percentage >= COUNTING_THRESHOLD


@dataclass(frozen=True, slots=True)
class TestImprovement:
    """How much one test's result improved over the previous completed one, in percent."""

    # Not a pytest test class, despite its name.
    __test__ = False

    test_id: int
    improvement_percentage: int

    def __post_init__(self) -> None:
        test_by_id(self.test_id)
        # Severities are 0..2, so 50 · (old − new) lies in −100..100.
        if not -100 <= self.improvement_percentage <= 100:
            raise ValidationFailed("improvement_percentage must lie in -100..100")


def improvement(test_id: int, old: Score, new: Score) -> TestImprovement:
    """50 · (old severity − new severity): limited → pass is +50, pass → significant is −100."""
    return TestImprovement(test_id, 50 * (old.severity - new.severity))


@dataclass(frozen=True, slots=True)
class Progress:
    """One user's progress on one date: counts, derived percentage and points, and the streak."""

    user_id: str
    date: dt.date
    tasks_total: int
    tasks_completed: int
    completion_percentage: int
    streak: int
    streak_points: int
    test_improvements: tuple[TestImprovement, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    # Optimistic-concurrency counter (decision 053): the domain leaves it alone, stores bump it.
    revision: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.tasks_completed <= self.tasks_total:
            raise ValidationFailed("tasks_completed must lie in 0..tasks_total")
        if self.completion_percentage != completion_percentage(
            self.tasks_completed, self.tasks_total
        ):
            raise ValidationFailed("completion_percentage does not match the task counts")
        if self.streak_points != streak_points(self.completion_percentage):
            raise ValidationFailed("streak_points does not match the completion percentage")
        if self.streak < 0:
            raise ValidationFailed("streak must not be negative")
        if len({i.test_id for i in self.test_improvements}) != len(self.test_improvements):
            raise ValidationFailed("one improvement per test and date")
        if self.created_at.tzinfo is None or self.updated_at.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")

    @property
    def has_tasks(self) -> bool:
        return self.tasks_total > 0

    @property
    def counts(self) -> bool:
        """Whether this date extends a streak; a date without tasks never does."""
        return self.has_tasks and counts_for_streak(self.completion_percentage)


def progress_for(
    user_id: str, date: dt.date, tasks_total: int, tasks_completed: int, now: dt.datetime
) -> Progress:
    """A new progress item for a date; its streak is 0 until `restreak` places it in the chain."""
    pct = completion_percentage(tasks_completed, tasks_total)
    return Progress(
        user_id=user_id,
        date=date,
        tasks_total=tasks_total,
        tasks_completed=tasks_completed,
        completion_percentage=pct,
        streak=0,
        streak_points=streak_points(pct),
        test_improvements=(),
        created_at=now,
        updated_at=now,
    )


def with_counts(
    progress: Progress, tasks_total: int, tasks_completed: int, now: dt.datetime
) -> Progress:
    """The item with new task counts and recomputed percentage and points (unchanged → same item).

    The streak is left as it was: `restreak` from this date on settles it and the later ones.
    """
    if (progress.tasks_total, progress.tasks_completed) == (tasks_total, tasks_completed):
        return progress
    pct = completion_percentage(tasks_completed, tasks_total)
    return dataclasses.replace(
        progress,
        tasks_total=tasks_total,
        tasks_completed=tasks_completed,
        completion_percentage=pct,
        streak_points=streak_points(pct),
        updated_at=now,
    )


def restreak(days: Sequence[Progress], streak_before: int, now: dt.datetime) -> list[Progress]:
    """Recompute the streaks of chronologically sorted items; return only those that changed.

    `streak_before` is the stored streak of the latest date with tasks before `days[0]` (0 if none).
    A date without tasks gets streak 0 and leaves the chain untouched (decision 030).
    """
    if streak_before < 0:
        raise ValueError("streak_before must not be negative")
    if any(a.date >= b.date for a, b in pairwise(days)):
        raise ValueError("progress items must be sorted by date, one per date")
    changed: list[Progress] = []
    previous = streak_before
    for day in days:
        if not day.has_tasks:
            streak = 0
        else:
            streak = previous + 1 if day.counts else 0
            previous = streak
        if streak != day.streak:
            changed.append(dataclasses.replace(day, streak=streak, updated_at=now))
    return changed


def current_streak(days: Iterable[Progress], today: dt.date) -> int:
    """Today's streak once today counts; until then the streak standing before today.

    Today is not over, so an unfinished today neither breaks nor extends the streak yet; dates
    after today are ignored (decision 031).
    """
    with_tasks = sorted((d for d in days if d.has_tasks and d.date <= today), key=lambda d: d.date)
    if with_tasks and with_tasks[-1].date == today and not with_tasks[-1].counts:
        with_tasks.pop()
    return with_tasks[-1].streak if with_tasks else 0


def best_streak(days: Iterable[Progress]) -> int:
    """The longest streak reached on any of the given dates (0 when there are none)."""
    return max((d.streak for d in days), default=0)


def add_improvement(
    progress: Progress | None,
    user_id: str,
    date: dt.date,
    entry: TestImprovement,
    now: dt.datetime,
) -> Progress:
    """The date's item with this test's improvement recorded, creating a task-less item if needed.

    An entry for the same test on that date is replaced, not duplicated: the latest comparison
    wins, and replaying the same event changes nothing (the same item is returned; decision 032).
    """
    if progress is None:
        return dataclasses.replace(
            progress_for(user_id, date, 0, 0, now), test_improvements=(entry,)
        )
    if (progress.user_id, progress.date) != (user_id, date):
        raise ValueError("the progress item belongs to another user or date")
    if entry in progress.test_improvements:
        return progress
    others = progress.test_improvements
    if any(i.test_id == entry.test_id for i in others):
        entries = tuple(entry if i.test_id == entry.test_id else i for i in others)
    else:
        entries = (*others, entry)
    return dataclasses.replace(progress, test_improvements=entries, updated_at=now)
