"""Read the calendar: the tasks of a date or of a date range (SPEC.md 6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.calendar import CalendarTask
from domain.errors import NotFound, ValidationFailed
from domain.user import require_plan_features
from ports.calendar import CalendarRepository
from ports.users import UserRepository

MAX_RANGE_DAYS = 92
"""A read covers at most a quarter: enough for any calendar view, bounded for the store (077)."""


def validate_range(first: date, last: date) -> None:
    """VALIDATION_ERROR unless first <= last and the range spans at most 92 dates."""
    if last < first:
        raise ValidationFailed("the range ends before it starts")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(f"a range covers at most {MAX_RANGE_DAYS} days")


@dataclass(frozen=True, slots=True)
class ListTasksRequest:
    """One date (`to_date` None) or the dates from_date..to_date inclusive."""

    user_id: str
    from_date: date
    to_date: date | None = None


class ListTasks:
    """The user's tasks of a date or a range, by date then task id.

    Rules enforced:
    - the user exists (NOT_FOUND) and is on basic or higher (TIER_REQUIRED);
    - a range ends on or after its start and spans at most 92 dates (VALIDATION_ERROR).
    """

    def __init__(self, users: UserRepository, calendar: CalendarRepository) -> None:
        self._users = users
        self._calendar = calendar

    def execute(self, request: ListTasksRequest) -> Sequence[CalendarTask]:
        last = request.from_date if request.to_date is None else request.to_date
        validate_range(request.from_date, last)
        user = self._users.get(request.user_id)
        if user is None:
            raise NotFound("user not found")
        require_plan_features(user.tier)
        return tuple(self._calendar.between(user.user_id, request.from_date, last))
