"""`dosage` maps on plan exercises and calendar tasks: `sets`, `reps` or `hold_seconds`,
`rest_seconds` (numbers); an item without one (stored before dosage) reads as None (175)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import AttributeValue, Item, get_int, n, put_optional
from domain.dosage import Dosage

ATTRIBUTE = "dosage"


def put_dosage(item: Item, dosage: Dosage | None) -> None:
    """Add the `dosage` map to an item (or a nested map's body) when there is one."""
    put_optional(item, ATTRIBUTE, None if dosage is None else dosage_value(dosage))


def dosage_value(dosage: Dosage) -> AttributeValue:
    body: Item = {"sets": n(dosage.sets), "rest_seconds": n(dosage.rest_seconds)}
    if dosage.reps is not None:
        body["reps"] = n(dosage.reps)
    if dosage.hold_seconds is not None:
        body["hold_seconds"] = n(dosage.hold_seconds)
    return {"M": body}


def get_dosage(item: Mapping[str, Any]) -> Dosage | None:
    """The `dosage` of an item (or nested map body), None when it has none."""
    value = item.get(ATTRIBUTE)
    if value is None:
        return None
    body = value["M"]
    return Dosage(
        sets=get_int(body, "sets"),
        rest_seconds=get_int(body, "rest_seconds"),
        reps=get_int(body, "reps") if "reps" in body else None,
        hold_seconds=get_int(body, "hold_seconds") if "hold_seconds" in body else None,
    )
