"""The plans table, in memory: at most one active plan per user."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from adapters.memory.database import InMemoryDatabase, as_stored
from domain.errors import ConcurrentModification, NotFound
from domain.plan import Plan, active_of


class InMemoryPlanRepository:
    """A user's correction plans."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def get_active(self, user_id: str) -> Plan | None:
        """The user's active plan, or None."""
        return active_of(self.list_for_user(user_id))

    def list_for_user(self, user_id: str) -> Sequence[Plan]:
        """Every plan of the user, oldest version first."""
        with self._db.lock:
            mine = [p for (owner, _), p in self._db.plans.items() if owner == user_id]
        return sorted(mine, key=lambda p: (p.version, p.plan_id))

    def activate(self, plan: Plan, previous: Plan | None, *, require_user: bool = False) -> None:
        """Store `plan` as active and `previous` as inactive in one atomic write (decision 052)."""
        db = self._db
        key = (plan.user_id, plan.plan_id)
        tx = db.transaction()
        # An erased user gets no plan, even from a generation that read the profile before it.
        if require_user:
            tx.require(lambda: plan.user_id in db.users, lambda: NotFound("no such user"))
        tx.require(
            lambda: key not in db.plans,
            lambda: ConcurrentModification("a plan of this version was stored meanwhile"),
        )
        tx.put(db.plans, key, as_stored(dataclasses.replace(plan, is_active=True)))
        if previous is not None:
            if previous.user_id != plan.user_id:
                raise ValueError("the previous plan belongs to another user")
            previous_key = (previous.user_id, previous.plan_id)
            tx.require(
                lambda: previous_key in db.plans and db.plans[previous_key].is_active,
                lambda: ConcurrentModification("the previous plan is no longer active"),
            )
            # Like an UpdateItem: only the flag and the update time change.
            updated_at = as_stored(previous).updated_at
            tx.update(
                db.plans,
                previous_key,
                lambda stored: dataclasses.replace(stored, is_active=False, updated_at=updated_at),
            )
        tx.commit()
