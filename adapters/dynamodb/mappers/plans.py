"""plans: the plan with nested problem areas, exercises and phases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import (
    Item,
    b,
    get_bool,
    get_int,
    get_ints,
    get_list,
    get_map,
    get_s,
    get_strings,
    get_time,
    n,
    numbers,
    s,
    strings,
    t,
)
from adapters.dynamodb.mappers.dosage import get_dosage, put_dosage
from domain.exercises import PhaseFocus
from domain.plan import Plan, PlanExercise, PlanPhase, Priority
from domain.regions import Region
from domain.tiers import Tier


def plan_to_item(plan: Plan) -> Item:
    """The documented attributes of a plan (the layout keys the active plans' index)."""
    return {
        "user_id": s(plan.user_id),
        "plan_id": s(plan.plan_id),
        "tier": s(plan.tier.value),
        "is_active": b(plan.is_active),
        "based_on_tests": numbers(plan.based_on_tests),
        "problem_areas": {
            "M": {
                "p1": strings(region.value for region in plan.p1),
                "p2": strings(region.value for region in plan.p2),
            }
        },
        "exercises": {"L": [_exercise(exercise) for exercise in plan.exercises]},
        "phases": {"L": [_phase(phase) for phase in plan.phases]},
        "created_at": t(plan.created_at),
        "updated_at": t(plan.updated_at),
        "version": n(plan.version),
    }


def _exercise(exercise: PlanExercise) -> dict[str, Any]:
    body: Item = {
        "exercise_id": s(exercise.exercise_id),
        "name": s(exercise.name),
        "description": s(exercise.description),
        "priority": s(exercise.priority.value),
        "problem_area": s(exercise.problem_area),
    }
    put_dosage(body, exercise.dosage)
    return {"M": body}


def _phase(phase: PlanPhase) -> dict[str, Any]:
    return {
        "M": {
            "phase_id": s(phase.phase_id),
            "duration_weeks": n(phase.duration_weeks),
            "focus": s(phase.focus.value),
            "exercises": strings(phase.exercises),
        }
    }


def plan_from_item(item: Mapping[str, Any]) -> Plan:
    """The plan stored in a plans item."""
    areas = get_map(item, "problem_areas")
    return Plan(
        user_id=get_s(item, "user_id"),
        plan_id=get_s(item, "plan_id"),
        tier=Tier(get_s(item, "tier")),
        is_active=get_bool(item, "is_active"),
        based_on_tests=tuple(get_ints(item, "based_on_tests")),
        p1=tuple(Region(region) for region in get_strings(areas, "p1")),
        p2=tuple(Region(region) for region in get_strings(areas, "p2")),
        exercises=tuple(_exercise_from(element) for element in get_list(item, "exercises")),
        phases=tuple(_phase_from(element) for element in get_list(item, "phases")),
        created_at=get_time(item, "created_at"),
        updated_at=get_time(item, "updated_at"),
        version=get_int(item, "version"),
    )


def _exercise_from(element: Mapping[str, Any]) -> PlanExercise:
    body = element["M"]
    return PlanExercise(
        exercise_id=get_s(body, "exercise_id"),
        name=get_s(body, "name"),
        description=get_s(body, "description"),
        priority=Priority(get_s(body, "priority")),
        problem_area=get_s(body, "problem_area"),
        dosage=get_dosage(body),
    )


def _phase_from(element: Mapping[str, Any]) -> PlanPhase:
    body = element["M"]
    return PlanPhase(
        phase_id=get_s(body, "phase_id"),
        duration_weeks=get_int(body, "duration_weeks"),
        focus=PhaseFocus(get_s(body, "focus")),
        exercises=tuple(get_strings(body, "exercises")),
    )
