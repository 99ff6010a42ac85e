"""Changes of stored items (ports/stream_records.py) read as domain events (SPEC.md 10).

The store's adapter decodes its records (for DynamoDB: adapters/dynamodb/streams.py, which
dispatches on the table or on the `entity` attribute, by layout); these are the rules.

What becomes an event (docs/decisions/100-domain-events-from-streams.md):
- users: INSERT of a user → UserRegistered; MODIFY of `tier` → TierChanged.
- assessments: MODIFY of `status` to `completed` → AssessmentCompleted.
- plans: INSERT, or MODIFY of `is_active`, ending active → PlanActivated.
- calendar-tasks: MODIFY of `completed` to true → TaskCompleted.
- subscriptions: INSERT, or MODIFY of `status`, `tier` or `cancel_at_period_end`
  → SubscriptionChanged.
Everything else (other entities such as email reservations, REMOVE, unrelated attributes)
yields nothing.

A detail never carries an email; it names the user by `user_id` (consumers act on it) and by
`domain.user.mask` (to join with log lines), decision 101. Event ids are derived from the
record, so a redelivery repeats them (102).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from domain.time import iso
from domain.user import mask
from ports.events import DomainEvent
from ports.stream_records import Change, Image, UntranslatableRecord

__all__ = ["Change", "UntranslatableRecord", "event_id_of", "events_of"]

# Entities with rules, named as the documented tables.
USERS = "users"
SUBSCRIPTIONS = "subscriptions"
ASSESSMENTS = "assessments"
PLANS = "plans"
CALENDAR_TASKS = "calendar-tasks"

USER_REGISTERED = "UserRegistered"
TIER_CHANGED = "TierChanged"
ASSESSMENT_COMPLETED = "AssessmentCompleted"
PLAN_ACTIVATED = "PlanActivated"
TASK_COMPLETED = "TaskCompleted"
SUBSCRIPTION_CHANGED = "SubscriptionChanged"

# Fixed forever: changing it would give redelivered records new event ids.
EVENT_ID_NAMESPACE = uuid.UUID("0abeef10-573d-4d66-a99f-a2c1c7d5d572")

Detail = dict[str, Any]


def events_of(change: Change) -> tuple[DomainEvent, ...]:
    """The domain events one change stands for (often none)."""
    rule = _RULES.get(change.entity)
    if rule is None or change.kind == "REMOVE":
        return ()
    return tuple(
        DomainEvent(event_id=event_id_of(change, name), name=name, detail=detail)
        for name, detail in rule(change)
    )


def event_id_of(change: Change, name: str) -> str:
    """A UUID fixed by entity, item key, sequence number and event name: stable on redelivery.

    Hashed, so the key's user id does not show through the id.
    """
    key = json.dumps(change.keys, sort_keys=True, separators=(",", ":"))
    source = f"{change.entity}|{key}|{change.sequence_number}|{name}"
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, source))


# --- rules per table ---------------------------------------------------------------------------


def _users(change: Change) -> list[tuple[str, Detail]]:
    user_id = _s(change.new, "user_id")
    tier = _s(change.new, "tier")
    if change.kind == "INSERT":
        registered: Detail = {
            "user_id": user_id,
            "user": mask(user_id),
            "tier": tier,
            "occurred_at": _when(change, "created_at"),
        }
        return [(USER_REGISTERED, registered)]
    previous = _opt_s(change.old, "tier")
    if previous == tier:
        return []
    changed: Detail = {
        "user_id": user_id,
        "user": mask(user_id),
        "previous_tier": previous,
        "tier": tier,
        "occurred_at": _when(change, "updated_at"),
    }
    return [(TIER_CHANGED, changed)]


def _assessments(change: Change) -> list[tuple[str, Detail]]:
    new = change.new
    if change.kind != "MODIFY" or _opt_s(change.old, "status") == "completed":
        return []
    if _opt_s(new, "status") != "completed":
        return []
    result = _map(new, "result")
    detail = {
        "user_id": _s(change.new, "user_id"),
        "user": mask(_s(change.new, "user_id")),
        "assessment_id": _s(change.new, "assessment_id"),
        "test_id": _int(new, "test_id"),
        "attempt_number": _int(new, "attempt_number"),
        "score": _s(result, "score"),
        "problem_areas": _strings(result, "problem_areas"),
        "occurred_at": _when(change, "completed_at"),
    }
    return [(ASSESSMENT_COMPLETED, detail)]


def _plans(change: Change) -> list[tuple[str, Detail]]:
    if not _bool(change.new, "is_active") or _bool(change.old, "is_active", default=False):
        return []
    detail = {
        "user_id": _s(change.new, "user_id"),
        "user": mask(_s(change.new, "user_id")),
        "plan_id": _s(change.new, "plan_id"),
        "version": _int(change.new, "version"),
        "tier": _s(change.new, "tier"),
        "occurred_at": _when(change, "updated_at"),
    }
    return [(PLAN_ACTIVATED, detail)]


def _calendar_tasks(change: Change) -> list[tuple[str, Detail]]:
    if change.kind != "MODIFY" or _bool(change.old, "completed", default=False):
        return []
    if not _bool(change.new, "completed"):
        return []
    new = change.new
    detail = {
        "user_id": _s(change.new, "user_id"),
        "user": mask(_s(change.new, "user_id")),
        "task_id": _s(new, "task_id"),
        "task_date": _s(new, "task_date"),
        "plan_id": _s(new, "plan_id"),
        "exercise_id": _s(new, "exercise_id"),
        "priority": _s(new, "priority"),
        "occurred_at": _when(change, "completed_at"),
    }
    return [(TASK_COMPLETED, detail)]


_SUBSCRIPTION_STATE = ("status", "tier", "cancel_at_period_end")


def _subscriptions(change: Change) -> list[tuple[str, Detail]]:
    new, old = change.new, change.old
    state = _subscription_state(new)
    previous = _subscription_state(old) if change.kind == "MODIFY" and old else None
    if previous == state:
        return []  # e.g. only the event watermark moved
    detail = {
        "user_id": _s(change.new, "user_id"),
        "user": mask(_s(change.new, "user_id")),
        "subscription_id": _s(change.new, "subscription_id"),
        **state,
        "current_period_end": _s(new, "current_period_end"),
        "previous": previous,
        "occurred_at": _when(change, "updated_at"),
    }
    return [(SUBSCRIPTION_CHANGED, detail)]


def _subscription_state(image: Image) -> dict[str, Any]:
    return {
        "status": _s(image, "status"),
        "tier": _s(image, "tier"),
        "cancel_at_period_end": _bool(image, "cancel_at_period_end"),
    }


_RULES: dict[str, Callable[[Change], list[tuple[str, Detail]]]] = {
    USERS: _users,
    ASSESSMENTS: _assessments,
    PLANS: _plans,
    CALENDAR_TASKS: _calendar_tasks,
    SUBSCRIPTIONS: _subscriptions,
}


# --- reading images (messages name attributes, never their values) ----------------------------


def _typed(image: Image, name: str, kind: str) -> Any:
    value = image.get(name)
    if not isinstance(value, Mapping) or kind not in value:
        raise UntranslatableRecord(f"attribute {name!r} is missing or not of type {kind}")
    return value[kind]


def _s(image: Image, name: str) -> str:
    value = _typed(image, name, "S")
    if not isinstance(value, str):
        raise UntranslatableRecord(f"attribute {name!r} is not a string")
    return value


def _opt_s(image: Image, name: str) -> str | None:
    return _s(image, name) if name in image else None


def _bool(image: Image, name: str, *, default: bool | None = None) -> bool:
    if name not in image and default is not None:
        return default
    value = _typed(image, name, "BOOL")
    if not isinstance(value, bool):
        raise UntranslatableRecord(f"attribute {name!r} is not a Boolean")
    return value


def _int(image: Image, name: str) -> int:
    text = _typed(image, name, "N")
    try:
        return int(str(text))
    except ValueError:
        raise UntranslatableRecord(f"attribute {name!r} is not an integer") from None


def _map(image: Image, name: str) -> Image:
    value = _typed(image, name, "M")
    if not isinstance(value, Mapping):
        raise UntranslatableRecord(f"attribute {name!r} is not a map")
    return value


def _strings(image: Image, name: str) -> list[str]:
    if name not in image:
        return []
    elements = _typed(image, name, "L")
    if not isinstance(elements, list):
        raise UntranslatableRecord(f"attribute {name!r} is not a list")
    return [_s({name: element}, name) for element in elements]


def _when(change: Change, name: str) -> str:
    """The item's own timestamp `name`; the stream's approximate time when the item has none."""
    stamp = _opt_s(change.new, name)
    if stamp is not None:
        return stamp
    if change.approximate_at is not None:
        return iso(change.approximate_at)
    raise UntranslatableRecord(f"attribute {name!r} is missing and the record has no time")
