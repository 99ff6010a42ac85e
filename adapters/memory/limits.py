"""The user-limits table, in memory."""

from __future__ import annotations

from adapters.memory.database import InMemoryDatabase, as_stored, next_revision, require_revision
from domain.limits import UserLimits


class InMemoryLimitsRepository:
    """Reads and revision-guarded writes of a user's limits row."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def get(self, user_id: str) -> UserLimits | None:
        """The limits row, or None."""
        with self._db.lock:
            return self._db.limits.get(user_id)

    def save(self, limits: UserLimits) -> UserLimits:
        """Write the row if the stored revision still equals `limits.revision`; return it stored."""
        tx = self._db.transaction()
        require_revision(tx, self._db.limits, limits.user_id, limits)
        stored = as_stored(next_revision(limits))
        tx.put(self._db.limits, limits.user_id, stored)
        tx.commit()
        return stored
