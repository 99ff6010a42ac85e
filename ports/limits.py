"""The user-limits table: quota counters guarded by optimistic concurrency."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from domain.limits import UserLimits


@runtime_checkable
class LimitsRepository(Protocol):
    """Reads and conditionally writes a user's limits row."""

    def get(self, user_id: str) -> UserLimits | None:
        """The limits row, read consistently, or None."""
        ...

    def save(self, limits: UserLimits) -> UserLimits:
        """Write the row if the stored revision still equals `limits.revision`.

        Returns the stored row (revision + 1). Raises ConcurrentModification otherwise.
        """
        ...
