"""Stored state the races start from, written through the ports (so on any backend)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from application.progress_sync import counts_by_date
from domain.calendar import CalendarTask
from domain.limits import new_limits
from domain.progress import progress_for, restreak
from domain.tiers import Tier
from domain.user import User, accept_disclaimer
from tests.support.factories import T0, a_task, a_user
from tests.support.stores import Stores


def basic_user(stores: Stores, user_id: str, tier: Tier = Tier.BASIC) -> User:
    """A stored user on `tier` who accepted the disclaimer, with the limits row of that tier."""
    user = dataclasses.replace(accept_disclaimer(a_user(user_id), T0), tier=tier)
    stores.users.add(user, new_limits(user_id, tier, T0))
    return user


def tasks_on(stores: Stores, user_id: str, day: date, count: int) -> list[CalendarTask]:
    """`count` open tasks of the user on `day`, stored with the date's progress item."""
    tasks = [
        a_task(user_id, day, f"exercise-{number:02d}", plan_id=f"plan-{user_id}-v1")
        for number in range(count)
    ]
    ((_, (total, completed)),) = counts_by_date(tasks).items()
    progress = restreak([progress_for(user_id, day, total, completed, T0)], 0, T0)
    stores.calendar.add_tasks(tasks, progress)
    return tasks


def no_errors(outcomes: Sequence[object], *allowed: type[BaseException]) -> list[BaseException]:
    """The raised errors other than those `allowed` (an empty list when all is well)."""
    return [
        o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, tuple(allowed))
    ]
