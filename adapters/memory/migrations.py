"""The migrations table, in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from adapters.memory.database import InMemoryDatabase, as_stored
from ports.migrations import AppliedMigration


class InMemoryMigrationLedger:
    """Records migrations so that no two runners ever apply one twice."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def applied(self) -> Sequence[AppliedMigration]:
        """Every recorded migration, by version."""
        with self._db.lock:
            return [self._db.migrations[v] for v in sorted(self._db.migrations)]

    def claim(self, record: AppliedMigration) -> bool:
        """Record a migration if no runner has; False when it was already recorded."""
        with self._db.lock:
            if record.version in self._db.migrations:
                return False
            self._db.migrations[record.version] = as_stored(record)
            return True

    def release(self, version: str) -> None:
        """Forget a claim, so that a later run retries it."""
        with self._db.lock:
            self._db.migrations.pop(version, None)

    def finish(self, version: str) -> None:
        """Mark a claimed migration as applied in full."""
        with self._db.lock:
            stored = self._db.migrations.get(version)
            if stored is not None:
                self._db.migrations[version] = dataclasses.replace(stored, in_progress=False)
