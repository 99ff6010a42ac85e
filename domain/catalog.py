"""The 15-test catalog (SPEC.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationFailed
from domain.regions import Region

R = Region


@dataclass(frozen=True, slots=True)
class MovementTest:
    test_id: int
    name: str
    regions: tuple[Region, ...]

    def screens(self, region: Region) -> bool:
        return region in self.regions


CATALOG: tuple[MovementTest, ...] = (
    MovementTest(1, "Overhead Squat", (R.ANKLE, R.KNEE, R.HIP, R.THORACIC_SPINE, R.SHOULDER)),
    MovementTest(2, "Y-Balance", (R.ANKLE, R.KNEE, R.HIP, R.CORE)),
    MovementTest(3, "Single-Leg Squat", (R.ANKLE, R.KNEE, R.HIP)),
    MovementTest(4, "Hurdle Step", (R.ANKLE, R.KNEE, R.HIP, R.CORE)),
    MovementTest(5, "In-Line Lunge", (R.ANKLE, R.KNEE, R.HIP)),
    MovementTest(6, "Shoulder Mobility", (R.SHOULDER, R.THORACIC_SPINE)),
    MovementTest(7, "Active Straight Leg Raise", (R.HIP, R.LOWER_BACK)),
    MovementTest(8, "Trunk Stability Push-Up", (R.CORE, R.SHOULDER)),
    MovementTest(9, "Rotary Stability", (R.CORE, R.HIP, R.SHOULDER)),
    MovementTest(10, "Knee-to-Wall Ankle Dorsiflexion", (R.ANKLE,)),
    MovementTest(11, "Thomas Test", (R.HIP, R.LOWER_BACK)),
    MovementTest(12, "Single-Leg Balance", (R.ANKLE, R.HIP, R.CORE)),
    MovementTest(13, "Side Plank", (R.CORE, R.HIP)),
    MovementTest(14, "Thoracic Rotation", (R.THORACIC_SPINE, R.NECK)),
    MovementTest(15, "Hip Hinge", (R.HIP, R.LOWER_BACK, R.CORE)),
)

_BY_ID = {t.test_id: t for t in CATALOG}


def test_by_id(test_id: int) -> MovementTest:
    """The catalog test with this id, or VALIDATION_ERROR for an id outside 1..15."""
    try:
        return _BY_ID[test_id]
    except KeyError:
        raise ValidationFailed(f"test_id must be one of 1..15, got {test_id}") from None
