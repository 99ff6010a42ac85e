"""Progress, streak points and the streak recurrence (SPEC.md section 7)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import progress as p
from domain.errors import ValidationFailed
from domain.scores import Score

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
USER = "user-1"
D1 = date(2026, 3, 1)


def day(offset: int, total: int, completed: int, streak: int = 0) -> p.Progress:
    """A progress item `offset` days after D1, with the given counts and stored streak."""
    item = p.progress_for(USER, D1 + timedelta(days=offset), total, completed, NOW)
    return dataclasses.replace(item, streak=streak)


def settled(days: list[p.Progress], streak_before: int = 0) -> list[p.Progress]:
    """The items with the changes of `restreak` applied."""
    changed = {c.date: c for c in p.restreak(days, streak_before, LATER)}
    return [changed.get(d.date, d) for d in days]


# --- percentages, points and counting ------------------------------------------------------


def test_completion_is_floored_so_two_of_three_is_66_percent() -> None:
    assert p.completion_percentage(2, 3) == 66
    assert p.completion_percentage(1, 3) == 33


def test_completion_of_a_date_without_tasks_is_zero() -> None:
    assert p.completion_percentage(0, 0) == 0


@pytest.mark.parametrize(
    ("completed", "total", "percentage"),
    [(0, 4, 0), (69, 100, 69), (7, 10, 70), (99, 100, 99), (5, 5, 100)],
)
def test_completion_percentage_is_exact_at_the_boundaries(
    completed: int, total: int, percentage: int
) -> None:
    assert p.completion_percentage(completed, total) == percentage


@pytest.mark.parametrize(("percentage", "points"), [(0, 0), (69, 0), (70, 1), (99, 1), (100, 2)])
def test_streak_points_are_two_at_100_one_from_70_to_99_and_none_below(
    percentage: int, points: int
) -> None:
    assert p.streak_points(percentage) == points


@pytest.mark.parametrize(
    ("percentage", "counts"), [(0, False), (69, False), (70, True), (100, True)]
)
def test_a_date_counts_for_the_streak_from_70_percent(percentage: int, counts: bool) -> None:
    assert p.counts_for_streak(percentage) is counts


def test_a_new_item_derives_its_percentage_and_points_from_the_counts() -> None:
    item = p.progress_for(USER, D1, 3, 2, NOW)
    assert (item.completion_percentage, item.streak_points, item.streak) == (66, 0, 0)
    assert not item.counts
    assert item.created_at == item.updated_at == NOW


def test_69_percent_does_not_count_but_70_does() -> None:
    assert not p.progress_for(USER, D1, 100, 69, NOW).counts
    assert p.progress_for(USER, D1, 10, 7, NOW).counts


def test_with_counts_recomputes_percentage_and_points_and_keeps_the_streak() -> None:
    item = day(0, 3, 2, streak=0)
    done = p.with_counts(item, 3, 3, LATER)
    assert (done.completion_percentage, done.streak_points) == (100, 2)
    assert done.updated_at == LATER
    assert done.created_at == NOW


def test_with_the_same_counts_nothing_changes() -> None:
    item = day(0, 3, 2)
    assert p.with_counts(item, 3, 2, LATER) is item


def test_more_completed_tasks_than_tasks_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        p.progress_for(USER, D1, 2, 3, NOW)


def test_a_percentage_that_does_not_match_the_counts_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        dataclasses.replace(day(0, 3, 2), completion_percentage=67)


def test_points_that_do_not_match_the_percentage_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        dataclasses.replace(day(0, 3, 3), streak_points=1)


# --- the streak recurrence --------------------------------------------------------------------


def test_consecutive_counting_dates_build_a_streak() -> None:
    days = settled([day(0, 2, 2), day(1, 10, 7), day(2, 1, 1)])
    assert [d.streak for d in days] == [1, 2, 3]


def test_a_date_below_70_percent_breaks_the_streak() -> None:
    days = settled([day(0, 2, 2), day(1, 100, 69), day(2, 1, 1)])
    assert [d.streak for d in days] == [1, 0, 1]


def test_dates_without_tasks_neither_extend_nor_break_a_streak() -> None:
    # Days 1 and 2 have no item at all: the streak jumps the gap.
    days = settled([day(0, 2, 2), day(3, 2, 2), day(4, 2, 2)])
    assert [d.streak for d in days] == [1, 2, 3]


def test_a_task_less_item_keeps_streak_zero_and_is_skipped_by_the_chain() -> None:
    only_improvements = p.add_improvement(
        None, USER, D1 + timedelta(days=1), p.improvement(3, Score.LIMITED, Score.PASS), NOW
    )
    days = settled([day(0, 2, 2), only_improvements, day(2, 2, 2)])
    assert [d.streak for d in days] == [1, 0, 2]


def test_the_streak_before_the_first_item_is_continued() -> None:
    days = settled([day(0, 1, 1), day(1, 1, 1)], streak_before=5)
    assert [d.streak for d in days] == [6, 7]


def test_a_non_counting_first_item_ignores_the_streak_before() -> None:
    days = settled([day(0, 1, 0), day(1, 1, 1)], streak_before=5)
    assert [d.streak for d in days] == [0, 1]


def test_restreak_returns_only_the_items_whose_streak_changed() -> None:
    days = [day(0, 1, 1, streak=1), day(1, 1, 1, streak=9), day(2, 1, 0, streak=0)]
    changed = p.restreak(days, 0, LATER)
    assert [(c.date, c.streak) for c in changed] == [(days[1].date, 2)]
    assert changed[0].updated_at == LATER


def test_completing_yesterday_recomputes_todays_streak() -> None:
    before = day(0, 1, 1, streak=4)
    yesterday = day(1, 3, 2, streak=0)
    today = day(2, 2, 2, streak=1)
    yesterday = p.with_counts(yesterday, 3, 3, LATER)
    changed = p.restreak([yesterday, today], before.streak, LATER)
    assert [(c.date, c.streak) for c in changed] == [(yesterday.date, 5), (today.date, 6)]


def test_un_completing_yesterday_breaks_todays_streak() -> None:
    yesterday = p.with_counts(day(1, 1, 1, streak=3), 1, 0, LATER)
    today = day(2, 1, 1, streak=4)
    changed = p.restreak([yesterday, today], 2, LATER)
    assert [c.streak for c in changed] == [0, 1]


def test_restreak_refuses_unsorted_items() -> None:
    with pytest.raises(ValueError, match="sorted"):
        p.restreak([day(1, 1, 1), day(0, 1, 1)], 0, LATER)


# --- current and best streak ----------------------------------------------------------------


def test_the_current_streak_is_todays_once_today_counts() -> None:
    days = settled([day(0, 1, 1), day(1, 1, 1), day(2, 10, 7)])
    assert p.current_streak(days, days[2].date) == 3


def test_an_unfinished_today_does_not_break_the_current_streak() -> None:
    days = settled([day(0, 1, 1), day(1, 1, 1), day(2, 10, 6)])
    assert p.current_streak(days, days[2].date) == 2


def test_a_missed_yesterday_leaves_no_current_streak() -> None:
    days = settled([day(0, 1, 1), day(1, 1, 0), day(2, 1, 0)])
    assert p.current_streak(days, days[2].date) == 0


def test_the_current_streak_survives_dates_without_tasks_and_ignores_the_future() -> None:
    days = settled([day(0, 1, 1), day(1, 1, 1), day(9, 1, 1)])
    assert p.current_streak(days, D1 + timedelta(days=5)) == 2


def test_without_any_progress_the_streaks_are_zero() -> None:
    assert p.current_streak([], D1) == 0
    assert p.best_streak([]) == 0


def test_the_best_streak_is_the_longest_ever_reached() -> None:
    days = settled([day(0, 1, 1), day(1, 1, 1), day(2, 1, 1), day(3, 1, 0), day(4, 1, 1)])
    assert p.best_streak(days) == 3
    assert p.current_streak(days, days[-1].date) == 1


# --- test improvements ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "percentage"),
    [
        (Score.LIMITED, Score.PASS, 50),
        (Score.SIGNIFICANT, Score.PASS, 100),
        (Score.SIGNIFICANT, Score.LIMITED, 50),
        (Score.LIMITED, Score.LIMITED, 0),
        (Score.PASS, Score.SIGNIFICANT, -100),
    ],
)
def test_improvement_is_fifty_per_step_of_severity(old: Score, new: Score, percentage: int) -> None:
    assert p.improvement(7, old, new) == p.TestImprovement(7, percentage)


def test_an_improvement_for_a_test_outside_the_catalog_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        p.TestImprovement(16, 50)


def test_an_improvement_on_a_date_without_an_item_creates_a_task_less_item() -> None:
    entry = p.TestImprovement(2, 50)
    item = p.add_improvement(None, USER, D1, entry, NOW)
    assert (item.user_id, item.date, item.tasks_total, item.streak) == (USER, D1, 0, 0)
    assert item.test_improvements == (entry,)
    assert not item.has_tasks


def test_improvements_of_different_tests_accumulate() -> None:
    item = p.add_improvement(day(0, 2, 1), USER, D1, p.TestImprovement(2, 50), LATER)
    item = p.add_improvement(item, USER, D1, p.TestImprovement(5, -50), LATER)
    assert item.test_improvements == (p.TestImprovement(2, 50), p.TestImprovement(5, -50))
    assert (item.tasks_total, item.tasks_completed, item.updated_at) == (2, 1, LATER)


def test_a_second_improvement_of_the_same_test_replaces_the_first() -> None:
    item = p.add_improvement(None, USER, D1, p.TestImprovement(2, 50), NOW)
    item = p.add_improvement(item, USER, D1, p.TestImprovement(3, 0), NOW)
    item = p.add_improvement(item, USER, D1, p.TestImprovement(2, 100), LATER)
    assert item.test_improvements == (p.TestImprovement(2, 100), p.TestImprovement(3, 0))


def test_recording_the_same_improvement_again_changes_nothing() -> None:
    item = p.add_improvement(None, USER, D1, p.TestImprovement(2, 50), NOW)
    assert p.add_improvement(item, USER, D1, p.TestImprovement(2, 50), LATER) is item


def test_an_improvement_for_another_date_than_the_item_is_refused() -> None:
    item = day(0, 1, 1)
    with pytest.raises(ValueError, match="another"):
        p.add_improvement(item, USER, D1 + timedelta(days=1), p.TestImprovement(2, 50), NOW)


# --- property: restreak agrees with the recurrence ----------------------------------------


def direct_streaks(items: list[p.Progress]) -> dict[date, int]:
    """The recurrence evaluated literally, by recursion over the dates with tasks."""
    by_date = {i.date: i for i in items}

    def streak(d: date) -> int:
        item = by_date[d]
        if not item.has_tasks or not p.counts_for_streak(item.completion_percentage):
            return 0
        earlier = [e for e in by_date if e < d and by_date[e].has_tasks]
        return 1 + (streak(max(earlier)) if earlier else 0)

    return {d: streak(d) for d in by_date}


# One entry per calendar date: None is a date with no item; (0, 0) a task-less item.
counts = st.one_of(
    st.none(),
    st.just((0, 0)),
    st.integers(min_value=1, max_value=10).flatmap(
        lambda total: st.tuples(st.just(total), st.integers(min_value=0, max_value=total))
    ),
)


@given(
    plan=st.lists(st.tuples(counts, st.integers(min_value=0, max_value=5)), max_size=30),
    split=st.integers(min_value=0, max_value=30),
    today_offset=st.integers(min_value=-1, max_value=31),
)
def test_restreak_agrees_with_the_recurrence_and_best_is_at_least_current(
    plan: list[tuple[tuple[int, int] | None, int]], split: int, today_offset: int
) -> None:
    items = [
        day(offset, c[0], c[1], streak=stale)
        for offset, (c, stale) in enumerate(plan)
        if c is not None
    ]
    expected = direct_streaks(items)

    # All at once, from stale stored streaks.
    whole = settled(items)
    assert {i.date: i.streak for i in whole} == expected
    changed = {c.date for c in p.restreak(items, 0, LATER)}
    assert changed == {i.date for i in items if i.streak != expected[i.date]}

    # Or in two steps, the second continuing from the first (as after changing one date).
    head = settled(items[:split])
    with_tasks = [i for i in head if i.has_tasks]
    tail = settled(items[split:], with_tasks[-1].streak if with_tasks else 0)
    assert [i.streak for i in head + tail] == [i.streak for i in whole]

    today = D1 + timedelta(days=today_offset)
    assert p.best_streak(whole) >= p.current_streak(whole, today) >= 0
