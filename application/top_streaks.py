"""Read the user's top streak days (SPEC.md 7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import NotFound, ValidationFailed
from domain.progress import Progress
from domain.user import require_plan_features
from ports.progress import ProgressRepository
from ports.users import UserRepository

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class TopStreaksRequest:
    user_id: str
    limit: int = DEFAULT_LIMIT


class TopStreaks:
    """The user's days with the highest streaks, highest first.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - `limit` lies in 1..50 (VALIDATION_ERROR);
    - days with streak 0 are not streak days and are left out (decision 077).
    """

    def __init__(self, users: UserRepository, progress: ProgressRepository) -> None:
        self._users = users
        self._progress = progress

    def execute(self, request: TopStreaksRequest) -> Sequence[Progress]:
        if not 1 <= request.limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit must lie in 1..{MAX_LIMIT}")
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        top = self._progress.top_streaks(user.user_id, request.limit)
        return tuple(item for item in top if item.streak > 0)
