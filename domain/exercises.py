"""The exercise library plans draw from (SPEC.md section 5): domain data, not configuration.

Two exercises per region for each corrective focus, plus general maintenance work, each with the
base prescription (dosage) that fits its focus. Ids are stable slugs because plans and calendar
tasks store them: never rename an id, add a new one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.dosage import Dosage, hold, reps
from domain.errors import NotFound, ValidationFailed
from domain.regions import Region


class PhaseFocus(StrEnum):
    MOBILITY = "mobility"
    STABILITY = "stability"
    INTEGRATION = "integration"
    MAINTENANCE = "maintenance"


CORRECTIVE_FOCUSES: tuple[PhaseFocus, ...] = (
    PhaseFocus.MOBILITY,
    PhaseFocus.STABILITY,
    PhaseFocus.INTEGRATION,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class FocusRange:
    """The base prescriptions that fit one phase focus; `holds` None: holds do not fit."""

    sets: range
    reps: range
    holds: range | None
    rest_seconds: range


def _span(low: int, high: int) -> range:
    return range(low, high + 1)


# SPEC.md 5 sets sets, reps and holds; rest and the maintenance reps and holds are ours
# (docs/decisions/171-dosage-ranges-and-hold-or-reps.md).
FOCUS_RANGES: Mapping[PhaseFocus, FocusRange] = {
    PhaseFocus.MOBILITY: FocusRange(_span(2, 2), _span(8, 12), _span(20, 40), _span(20, 60)),
    PhaseFocus.STABILITY: FocusRange(_span(3, 3), _span(6, 10), _span(20, 45), _span(30, 90)),
    PhaseFocus.INTEGRATION: FocusRange(_span(3, 3), _span(8, 12), None, _span(45, 120)),
    PhaseFocus.MAINTENANCE: FocusRange(_span(2, 3), _span(8, 15), _span(20, 45), _span(30, 90)),
}


def fits_focus(dosage: Dosage, focus: PhaseFocus) -> bool:
    """Whether a base prescription lies in the ranges of its focus."""
    fitting = FOCUS_RANGES[focus]
    if dosage.sets not in fitting.sets or dosage.rest_seconds not in fitting.rest_seconds:
        return False
    if dosage.hold_seconds is not None:
        return fitting.holds is not None and dosage.hold_seconds in fitting.holds
    return dosage.reps in fitting.reps


@dataclass(frozen=True, slots=True)
class Exercise:
    exercise_id: str
    name: str
    description: str
    region: Region | None
    focus: PhaseFocus
    dosage: Dosage

    def __post_init__(self) -> None:
        if not _SLUG.fullmatch(self.exercise_id):
            raise ValidationFailed(f"exercise_id must be a kebab-case slug: {self.exercise_id!r}")
        if not self.name.strip() or not self.description.strip() or "\n" in self.description:
            raise ValidationFailed(f"{self.exercise_id}: needs a name and a one-line description")
        # Maintenance work is general; corrective work always targets one region.
        if (self.focus is PhaseFocus.MAINTENANCE) != (self.region is None):
            raise ValidationFailed(f"{self.exercise_id}: only maintenance has no region")
        if not fits_focus(self.dosage, self.focus):
            raise ValidationFailed(f"{self.exercise_id}: {self.dosage} does not fit {self.focus}")


R = Region
F = PhaseFocus
MOB, STAB, INT, MAINT = F.MOBILITY, F.STABILITY, F.INTEGRATION, F.MAINTENANCE

LIBRARY: tuple[Exercise, ...] = (
    # ankle
    Exercise(
        "ankle-mob-knee-to-wall",
        "Knee-to-Wall Ankle Mobilisation",
        "Half-kneeling, drive the front knee over the toes towards a wall, heel down.",
        R.ANKLE,
        MOB,
        reps(2, 10, 30),
    ),
    Exercise(
        "ankle-mob-banded-distraction",
        "Banded Ankle Distraction",
        "A band pulls the ankle back at the front of the joint while the knee rocks forward.",
        R.ANKLE,
        MOB,
        reps(2, 12, 30),
    ),
    Exercise(
        "ankle-stab-single-leg-stance",
        "Single-Leg Stance on Foam",
        "Balance on one foot on a soft pad for 30 seconds, knee soft, arch lifted.",
        R.ANKLE,
        STAB,
        hold(3, 30, 45),
    ),
    Exercise(
        "ankle-stab-eccentric-calf-raise",
        "Eccentric Calf Raise",
        "Rise on both feet, lower slowly on one over three seconds from a step edge.",
        R.ANKLE,
        STAB,
        reps(3, 8, 60),
    ),
    Exercise(
        "ankle-int-star-excursion",
        "Star Excursion Balance Reach",
        "On one leg, reach the other foot forward, sideways and back without losing balance.",
        R.ANKLE,
        INT,
        reps(3, 8, 60),
    ),
    Exercise(
        "ankle-int-lateral-hop-and-stick",
        "Lateral Hop and Stick",
        "Hop sideways onto one foot and hold the landing still for two seconds.",
        R.ANKLE,
        INT,
        reps(3, 8, 90),
    ),
    # knee
    Exercise(
        "knee-mob-heel-slide",
        "Supine Heel Slide",
        "Lying on your back, slide the heel towards the glutes to bend the knee fully.",
        R.KNEE,
        MOB,
        reps(2, 12, 30),
    ),
    Exercise(
        "knee-mob-prone-quad-stretch",
        "Prone Quadriceps Stretch",
        "Lying face down, pull the heel towards the glutes with a strap and hold.",
        R.KNEE,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "knee-stab-terminal-knee-extension",
        "Terminal Knee Extension",
        "A band behind the knee; straighten the last degrees against it and squeeze the quad.",
        R.KNEE,
        STAB,
        reps(3, 10, 45),
    ),
    Exercise(
        "knee-stab-spanish-squat",
        "Spanish Squat",
        "A band behind both knees anchored ahead; sit back to a shin-vertical squat and hold.",
        R.KNEE,
        STAB,
        hold(3, 30, 60),
    ),
    Exercise(
        "knee-int-lateral-step-down",
        "Lateral Step-Down",
        "Stand on a step and lower the other heel to the floor, knee tracking over the toes.",
        R.KNEE,
        INT,
        reps(3, 10, 60),
    ),
    Exercise(
        "knee-int-split-squat",
        "Split Squat",
        "In a long stance, lower the back knee towards the floor and stand up under control.",
        R.KNEE,
        INT,
        reps(3, 10, 60),
    ),
    # hip
    Exercise(
        "hip-mob-90-90-switch",
        "90/90 Hip Switch",
        "Seated with both knees bent at 90 degrees, rotate the legs from side to side.",
        R.HIP,
        MOB,
        reps(2, 10, 30),
    ),
    Exercise(
        "hip-mob-half-kneeling-flexor-stretch",
        "Half-Kneeling Hip Flexor Stretch",
        "Kneel on one knee, tuck the pelvis and shift forward to stretch the front of the hip.",
        R.HIP,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "hip-stab-clamshell",
        "Banded Clamshell",
        "Side-lying with knees bent and a band above them, open the top knee without rolling.",
        R.HIP,
        STAB,
        reps(3, 10, 45),
    ),
    Exercise(
        "hip-stab-copenhagen-plank",
        "Copenhagen Plank",
        "Side plank with the top leg on a bench, holding the hips up with the inner thigh.",
        R.HIP,
        STAB,
        hold(3, 20, 60),
    ),
    Exercise(
        "hip-int-single-leg-rdl",
        "Single-Leg Romanian Deadlift",
        "Hinge on one leg, the other leg reaching back, hips square, then stand tall.",
        R.HIP,
        INT,
        reps(3, 8, 60),
    ),
    Exercise(
        "hip-int-lateral-lunge",
        "Lateral Lunge",
        "Step wide to one side and sit back into that hip, the other leg straight.",
        R.HIP,
        INT,
        reps(3, 10, 60),
    ),
    # core
    Exercise(
        "core-mob-90-90-breathing",
        "90/90 Diaphragmatic Breathing",
        "Feet on a wall with hips and knees at 90 degrees, breathe low into the ribs and belly.",
        R.CORE,
        MOB,
        reps(2, 8, 30),
    ),
    Exercise(
        "core-mob-supine-pelvic-tilt",
        "Supine Pelvic Tilt",
        "Lying with knees bent, rock the pelvis to flatten and then arch the low back gently.",
        R.CORE,
        MOB,
        reps(2, 12, 30),
    ),
    Exercise(
        "core-stab-dead-bug",
        "Dead Bug",
        "On your back, lower the opposite arm and leg slowly while the low back stays down.",
        R.CORE,
        STAB,
        reps(3, 8, 45),
    ),
    Exercise(
        "core-stab-front-plank",
        "Front Plank",
        "Hold a straight line from head to heels on the forearms, ribs down, glutes tight.",
        R.CORE,
        STAB,
        hold(3, 30, 45),
    ),
    Exercise(
        "core-int-pallof-press",
        "Pallof Press",
        "Standing side-on to a band, press it straight out and resist the pull to rotate.",
        R.CORE,
        INT,
        reps(3, 10, 60),
    ),
    Exercise(
        "core-int-suitcase-carry",
        "Suitcase Carry",
        "Walk tall with a heavy weight in one hand, not leaning; reps are steps per side.",
        R.CORE,
        INT,
        reps(3, 12, 60),
    ),
    # lower back
    Exercise(
        "lower-back-mob-cat-cow",
        "Cat-Cow",
        "On hands and knees, round and then arch the spine slowly, one segment at a time.",
        R.LOWER_BACK,
        MOB,
        reps(2, 10, 30),
    ),
    Exercise(
        "lower-back-mob-childs-pose",
        "Child's Pose",
        "Kneel, sit back onto the heels and reach the arms forward to lengthen the low back.",
        R.LOWER_BACK,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "lower-back-stab-bird-dog",
        "Bird Dog",
        "On hands and knees, reach the opposite arm and leg long without the back moving.",
        R.LOWER_BACK,
        STAB,
        reps(3, 8, 45),
    ),
    Exercise(
        "lower-back-stab-glute-bridge",
        "Glute Bridge",
        "On your back with knees bent, drive through the heels to lift the hips, ribs down.",
        R.LOWER_BACK,
        STAB,
        reps(3, 10, 45),
    ),
    Exercise(
        "lower-back-int-dowel-hip-hinge",
        "Dowel Hip Hinge",
        "A dowel touching head, upper back and tailbone; hinge at the hips keeping all three.",
        R.LOWER_BACK,
        INT,
        reps(3, 10, 60),
    ),
    Exercise(
        "lower-back-int-kettlebell-deadlift",
        "Kettlebell Deadlift",
        "Hinge to lift a kettlebell from between the feet with a neutral spine, then stand.",
        R.LOWER_BACK,
        INT,
        reps(3, 8, 90),
    ),
    # thoracic spine
    Exercise(
        "thoracic-spine-mob-open-book",
        "Open Book",
        "Side-lying with knees bent, open the top arm across to the other side, eyes following.",
        R.THORACIC_SPINE,
        MOB,
        reps(2, 10, 30),
    ),
    Exercise(
        "thoracic-spine-mob-foam-roller-extension",
        "Foam Roller Thoracic Extension",
        "A roller across the upper back, hands behind the head, extend over it segment by segment.",
        R.THORACIC_SPINE,
        MOB,
        reps(2, 10, 30),
    ),
    Exercise(
        "thoracic-spine-stab-prone-y-t-raise",
        "Prone Y-T Raise",
        "Face down, lift the arms into a Y and then a T, squeezing the shoulder blades down.",
        R.THORACIC_SPINE,
        STAB,
        reps(3, 8, 45),
    ),
    Exercise(
        "thoracic-spine-stab-wall-angel",
        "Wall Angel",
        "Back against a wall, slide the arms up and down keeping wrists, elbows and ribs in place.",
        R.THORACIC_SPINE,
        STAB,
        reps(3, 10, 45),
    ),
    Exercise(
        "thoracic-spine-int-half-kneeling-chop",
        "Half-Kneeling Cable Chop",
        "Half-kneeling, pull a cable or band diagonally across the body, rotating the upper back.",
        R.THORACIC_SPINE,
        INT,
        reps(3, 10, 60),
    ),
    Exercise(
        "thoracic-spine-int-lunge-with-rotation",
        "Reverse Lunge with Rotation",
        "Step back into a lunge and rotate the chest towards the front leg, then return.",
        R.THORACIC_SPINE,
        INT,
        reps(3, 8, 60),
    ),
    # shoulder
    Exercise(
        "shoulder-mob-doorway-pec-stretch",
        "Doorway Pec Stretch",
        "Forearm on a door frame at shoulder height, step through to stretch the chest.",
        R.SHOULDER,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "shoulder-mob-sleeper-stretch",
        "Sleeper Stretch",
        "Side-lying on the shoulder, elbow bent at 90 degrees, press the forearm gently down.",
        R.SHOULDER,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "shoulder-stab-scapular-push-up",
        "Scapular Push-Up",
        "In a plank with straight arms, let the shoulder blades meet and then push them apart.",
        R.SHOULDER,
        STAB,
        reps(3, 10, 45),
    ),
    Exercise(
        "shoulder-stab-side-lying-external-rotation",
        "Side-Lying External Rotation",
        "Side-lying, elbow at the side, rotate a light weight up and lower it slowly.",
        R.SHOULDER,
        STAB,
        reps(3, 10, 60),
    ),
    Exercise(
        "shoulder-int-turkish-get-up",
        "Turkish Get-Up",
        "From lying to standing and back with a weight held overhead, eyes on it throughout.",
        R.SHOULDER,
        INT,
        reps(3, 8, 90),
    ),
    Exercise(
        "shoulder-int-landmine-press",
        "Half-Kneeling Landmine Press",
        "Half-kneeling, press the end of a barbell up and forward with one arm, ribs down.",
        R.SHOULDER,
        INT,
        reps(3, 10, 60),
    ),
    # neck
    Exercise(
        "neck-mob-upper-trapezius-stretch",
        "Upper Trapezius Stretch",
        "Seated, tilt the ear towards the shoulder while the other shoulder stays down.",
        R.NECK,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "neck-mob-levator-scapulae-stretch",
        "Levator Scapulae Stretch",
        "Turn the nose towards the armpit and ease the head down with the hand.",
        R.NECK,
        MOB,
        hold(2, 30, 30),
    ),
    Exercise(
        "neck-stab-chin-tuck",
        "Chin Tuck",
        "Glide the head straight back to make a double chin and hold, eyes level.",
        R.NECK,
        STAB,
        reps(3, 10, 45),
    ),
    Exercise(
        "neck-stab-four-way-isometric",
        "Four-Way Neck Isometric",
        "Press the head into the hand forwards, back and to each side without letting it move.",
        R.NECK,
        STAB,
        hold(3, 20, 45),
    ),
    Exercise(
        "neck-int-face-pull",
        "Face Pull",
        "Pull a band or rope towards the face, elbows high, finishing with the hands by the ears.",
        R.NECK,
        INT,
        reps(3, 12, 60),
    ),
    Exercise(
        "neck-int-band-pull-apart-chin-tuck",
        "Band Pull-Apart with Chin Tuck",
        "Hold a chin tuck while pulling a band apart at chest height with straight arms.",
        R.NECK,
        INT,
        reps(3, 12, 60),
    ),
    # general maintenance
    Exercise(
        "maintenance-worlds-greatest-stretch",
        "World's Greatest Stretch",
        "From a lunge, drop the elbow to the instep, then rotate the arm to the ceiling.",
        None,
        MAINT,
        reps(2, 8, 30),
    ),
    Exercise(
        "maintenance-bodyweight-squat",
        "Bodyweight Squat",
        "Feet shoulder-width, sit down between the heels as deep as control allows, stand tall.",
        None,
        MAINT,
        reps(3, 12, 60),
    ),
    Exercise(
        "maintenance-push-up",
        "Push-Up",
        "Lower the chest to the floor in a straight plank line and press back up.",
        None,
        MAINT,
        reps(3, 10, 60),
    ),
    Exercise(
        "maintenance-side-plank",
        "Side Plank",
        "On one forearm and the side of the feet, hold the body in a straight line.",
        None,
        MAINT,
        hold(3, 30, 45),
    ),
    Exercise(
        "maintenance-reverse-lunge",
        "Reverse Lunge",
        "Step back, lower the back knee towards the floor and drive up through the front heel.",
        None,
        MAINT,
        reps(3, 10, 60),
    ),
)

_BY_ID: dict[str, Exercise] = {exercise.exercise_id: exercise for exercise in LIBRARY}


def exercises_for(region: Region | None, focus: PhaseFocus) -> tuple[Exercise, ...]:
    """The library's exercises of one focus for a region (None: general maintenance), in order."""
    return tuple(e for e in LIBRARY if e.region == region and e.focus == focus)


def exercise_by_id(exercise_id: str) -> Exercise:
    """The library exercise with this id, or NOT_FOUND."""
    try:
        return _BY_ID[exercise_id]
    except KeyError:
        raise NotFound(f"no exercise {exercise_id!r} in the library") from None
