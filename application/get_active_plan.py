"""Read the user's active correction plan (SPEC.md 5)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.plan import Plan
from domain.user import require_plan_features
from ports.plans import PlanRepository
from ports.users import UserRepository


@dataclass(frozen=True, slots=True)
class GetActivePlanRequest:
    user_id: str


class GetActivePlan:
    """The user's active plan.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - a user without an active plan gets NOT_FOUND.
    """

    def __init__(self, users: UserRepository, plans: PlanRepository) -> None:
        self._users = users
        self._plans = plans

    def execute(self, request: GetActivePlanRequest) -> Plan:
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        plan = self._plans.get_active(user.user_id)
        if plan is None:
            raise NotFound("no active plan")
        return plan
