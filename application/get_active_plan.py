"""Read the user's active correction plan (SPEC.md 5)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.plan import Plan, active_of
from domain.user import require_plan_features
from ports.snapshots import SnapshotReader, SnapshotRequest


@dataclass(frozen=True, slots=True)
class GetActivePlanRequest:
    user_id: str


class GetActivePlan:
    """The user's active plan.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - a user without an active plan gets NOT_FOUND.
    Profile and plans come from one snapshot: one Query where the store keeps them together
    (decision 124), else a read and a query.
    """

    def __init__(self, snapshots: SnapshotReader) -> None:
        self._snapshots = snapshots

    def execute(self, request: GetActivePlanRequest) -> Plan:
        seen = self._snapshots.read(SnapshotRequest(request.user_id, user=True, plans=True))
        if seen.user is None:
            raise NotFound("user not found")
        require_plan_features(seen.user.tier)
        plan = active_of(seen.plans)
        if plan is None:
            raise NotFound("no active plan")
        return plan
