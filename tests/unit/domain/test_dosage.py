"""Dosage: the library's base prescriptions and their week-by-week progression (SPEC.md 5, 6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dosage import Dosage, hold, reps
from domain.errors import ValidationFailed
from domain.exercises import LIBRARY, Exercise, PhaseFocus, fits_focus
from domain.regions import Region

dosages = st.one_of(
    st.builds(reps, st.integers(1, 5), st.integers(1, 30), st.integers(0, 180)),
    st.builds(hold, st.integers(1, 5), st.integers(1, 120), st.integers(0, 180)),
)


def test_every_library_exercise_has_a_base_prescription_fitting_its_focus() -> None:
    for exercise in LIBRARY:
        assert fits_focus(exercise.dosage, exercise.focus), exercise.exercise_id


@pytest.mark.parametrize(
    ("focus", "sets", "low", "high"),
    [
        (PhaseFocus.MOBILITY, {2}, 8, 12),
        (PhaseFocus.STABILITY, {3}, 6, 10),
        (PhaseFocus.INTEGRATION, {3}, 8, 12),
        (PhaseFocus.MAINTENANCE, {2, 3}, 8, 15),
    ],
)
def test_library_sets_and_reps_lie_in_the_ranges_of_their_focus(
    focus: PhaseFocus, sets: set[int], low: int, high: int
) -> None:
    for exercise in (e for e in LIBRARY if e.focus is focus):
        assert exercise.dosage.sets in sets
        if exercise.dosage.reps is not None:
            assert low <= exercise.dosage.reps <= high


@pytest.mark.parametrize(
    ("focus", "low", "high"),
    [(PhaseFocus.MOBILITY, 20, 40), (PhaseFocus.STABILITY, 20, 45)],
)
def test_library_holds_lie_in_the_ranges_of_their_focus(
    focus: PhaseFocus, low: int, high: int
) -> None:
    holds = [e.dosage.hold_seconds for e in LIBRARY if e.focus is focus and e.dosage.is_hold]
    assert holds, "each of these focuses has some holds"
    assert all(h is not None and low <= h <= high for h in holds)


def test_integration_work_is_counted_in_reps_never_held() -> None:
    assert all(not e.dosage.is_hold for e in LIBRARY if e.focus is PhaseFocus.INTEGRATION)
    assert not fits_focus(hold(3, 30, 60), PhaseFocus.INTEGRATION)


def test_stretches_and_isometrics_are_held_and_moving_drills_counted() -> None:
    by_id = {e.exercise_id: e.dosage for e in LIBRARY}
    assert by_id["core-stab-front-plank"] == hold(3, 30, 45)
    assert by_id["shoulder-mob-sleeper-stretch"].is_hold
    assert by_id["ankle-stab-single-leg-stance"].hold_seconds == 30  # its description says so
    assert by_id["core-stab-dead-bug"].reps == 8


def test_an_exercise_whose_dosage_does_not_fit_its_focus_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        Exercise("x-mob", "X", "Do it.", Region.HIP, PhaseFocus.MOBILITY, reps(3, 10, 30))
    with pytest.raises(ValidationFailed):
        Exercise("x-stab", "X", "Do it.", Region.HIP, PhaseFocus.STABILITY, reps(3, 12, 45))


@pytest.mark.parametrize(
    "fields",
    [
        {"sets": 2, "rest_seconds": 30},
        {"sets": 2, "rest_seconds": 30, "reps": 10, "hold_seconds": 30},
        {"sets": 0, "rest_seconds": 30, "reps": 10},
        {"sets": 2, "rest_seconds": -1, "reps": 10},
        {"sets": 2, "rest_seconds": 30, "reps": 0},
        {"sets": 2, "rest_seconds": 30, "hold_seconds": 2.5},
        {"sets": True, "rest_seconds": 30, "reps": 10},
    ],
)
def test_a_dosage_has_whole_numbers_and_exactly_one_of_reps_and_hold(
    fields: dict[str, object],
) -> None:
    with pytest.raises(ValidationFailed):
        Dosage(**fields)  # type: ignore[arg-type]


def test_the_first_week_of_a_phase_is_the_base() -> None:
    base = reps(3, 8, 60)
    assert base.progressed(0) is base


@pytest.mark.parametrize(("week", "count"), [(0, 8), (1, 10), (2, 12), (3, 12), (9, 12)])
def test_reps_grow_by_two_a_week_up_to_four(week: int, count: int) -> None:
    assert reps(3, 8, 60).progressed(week) == reps(3, count, 60)


@pytest.mark.parametrize(("week", "seconds"), [(0, 30), (1, 35), (2, 40), (5, 40)])
def test_holds_grow_by_five_seconds_a_week_up_to_ten(week: int, seconds: int) -> None:
    assert hold(2, 30, 30).progressed(week) == hold(2, seconds, 30)


def test_a_negative_week_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="start at 0"):
        reps(2, 10, 30).progressed(-1)


@given(dosages, st.integers(0, 60), st.integers(0, 60))
def test_progression_never_lowers_never_passes_the_cap_and_keeps_sets_and_rest(
    base: Dosage, week: int, later: int
) -> None:
    now, then = base.progressed(week), base.progressed(week + later)
    assert (now.sets, now.rest_seconds) == (base.sets, base.rest_seconds)
    assert now.is_hold == base.is_hold
    if base.reps is not None:
        assert now.reps is not None
        assert then.reps is not None
        assert base.reps <= now.reps <= then.reps <= base.reps + 4
        assert now.reps == base.reps + 2 * min(week, 2)
    else:
        assert base.hold_seconds is not None
        assert now.hold_seconds is not None
        assert then.hold_seconds is not None
        assert base.hold_seconds <= now.hold_seconds <= then.hold_seconds <= base.hold_seconds + 10
        assert now.hold_seconds == base.hold_seconds + 5 * min(week, 2)
