"""Body regions: the `problem_areas` vocabulary, and the kinetic chain between them."""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    ANKLE = "ankle"
    KNEE = "knee"
    HIP = "hip"
    CORE = "core"
    LOWER_BACK = "lower_back"
    THORACIC_SPINE = "thoracic_spine"
    SHOULDER = "shoulder"
    NECK = "neck"


# cause -> consequence (SPEC.md section 5)
KINETIC_CHAIN: tuple[tuple[Region, Region], ...] = (
    (Region.ANKLE, Region.KNEE),
    (Region.HIP, Region.KNEE),
    (Region.HIP, Region.LOWER_BACK),
    (Region.CORE, Region.LOWER_BACK),
    (Region.THORACIC_SPINE, Region.SHOULDER),
    (Region.THORACIC_SPINE, Region.LOWER_BACK),
    (Region.THORACIC_SPINE, Region.NECK),
    (Region.SHOULDER, Region.NECK),
)


def causes_of(region: Region) -> frozenset[Region]:
    return frozenset(cause for cause, effect in KINETIC_CHAIN if effect is region)
