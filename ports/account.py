"""Everything stored about one user, across the seven user tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from domain.subscription import Subscription


@runtime_checkable
class AccountStore(Protocol):
    """Export and erasure of all of a user's items."""

    def export(self, user_id: str) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        """Every item of the user, by table name (users, subscriptions, assessments, plans,
        calendar-tasks, progress, user-limits), as JSON-ready dictionaries."""
        ...

    def erase(
        self,
        user_id: str,
        email: str | None,
        *,
        before_deleting: Callable[[Sequence[Subscription]], None] | None = None,
    ) -> int:
        """Delete every item of the user and free the email; returns how many were deleted.

        Without `email`, the stored user's email is freed. `before_deleting` is called with the
        user's stored subscriptions once every item is found and before any is deleted (the
        erasure ends live ones with the payment provider there); an error it raises stops the
        erasure with nothing deleted.

        Idempotent: an erasure interrupted half-way is finished by calling it again.
        """
        ...
