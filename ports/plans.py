"""The plans table: at most one active plan per user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from domain.plan import Plan


@runtime_checkable
class PlanRepository(Protocol):
    """A user's correction plans."""

    def get_active(self, user_id: str) -> Plan | None:
        """The user's active plan, read consistently, or None."""
        ...

    def list_for_user(self, user_id: str) -> Sequence[Plan]:
        """Every plan of the user, oldest version first."""
        ...

    def activate(self, plan: Plan, previous: Plan | None, *, require_user: bool = False) -> None:
        """Store `plan` as active and `previous` as inactive in one atomic write.

        Raises ConcurrentModification when `previous` is no longer the active plan, or another
        plan of the same version was stored meanwhile (a concurrent generation won); NotFound
        with `require_user` when the user is not stored (erased meanwhile).
        """
        ...
