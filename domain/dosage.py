"""How much of an exercise to do: sets, reps or a hold, and rest (SPEC.md sections 5 and 6).

Every library exercise carries a base prescription that fits its phase focus; a calendar task
carries the prescription of its day, progressed week by week inside the phase and capped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from domain.errors import ValidationFailed

REPS_STEP = 2
HOLD_STEP_SECONDS = 5
MAX_STEPS = 2
"""Progression stops after two steps: +4 reps or +10 s over the base (SPEC.md 6)."""


@dataclass(frozen=True, slots=True)
class Dosage:
    """`sets` of `reps` repetitions or of `hold_seconds` holds, `rest_seconds` between sets."""

    sets: int
    rest_seconds: int
    reps: int | None = None
    hold_seconds: int | None = None

    def __post_init__(self) -> None:
        if (self.reps is None) == (self.hold_seconds is None):
            raise ValidationFailed("a dosage has exactly one of reps and hold_seconds")
        for name in ("sets", "rest_seconds", "reps", "hold_seconds"):
            value = getattr(self, name)
            if value is None:
                continue
            # bool is an int in Python; a whole number here means a real int.
            if type(value) is not int or value < (0 if name == "rest_seconds" else 1):
                raise ValidationFailed(f"dosage {name} must be a whole number, got {value!r}")

    @property
    def is_hold(self) -> bool:
        return self.hold_seconds is not None

    def progressed(self, week_in_phase: int) -> Dosage:
        """The prescription of the phase's week `week_in_phase` (0 = the phase's first week).

        +2 reps (or +5 s of hold) per further week, at most +4 reps (+10 s); sets and rest stay.
        """
        if week_in_phase < 0:
            raise ValueError(f"weeks of a phase start at 0, got {week_in_phase}")
        steps = min(week_in_phase, MAX_STEPS)
        if steps == 0:
            return self
        if self.hold_seconds is not None:
            return dataclasses.replace(
                self, hold_seconds=self.hold_seconds + steps * HOLD_STEP_SECONDS
            )
        assert self.reps is not None
        return dataclasses.replace(self, reps=self.reps + steps * REPS_STEP)


def reps(sets: int, count: int, rest_seconds: int) -> Dosage:
    """`sets` × `count` repetitions, `rest_seconds` between sets."""
    return Dosage(sets=sets, rest_seconds=rest_seconds, reps=count)


def hold(sets: int, seconds: int, rest_seconds: int) -> Dosage:
    """`sets` holds of `seconds` each, `rest_seconds` between sets."""
    return Dosage(sets=sets, rest_seconds=rest_seconds, hold_seconds=seconds)
