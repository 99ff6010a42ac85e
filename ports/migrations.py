"""The migrations table: which data migrations have been applied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    version: str
    applied_at: datetime
    description: str
    author: str
    # True from the claim until the apply step finished: later versions wait (decision 143).
    # Records written before this field existed read as finished.
    in_progress: bool = False


@runtime_checkable
class MigrationLedger(Protocol):
    """Records migrations so that no two runners ever apply one twice."""

    def applied(self) -> Sequence[AppliedMigration]:
        """Every recorded migration, by version."""
        ...

    def claim(self, record: AppliedMigration) -> bool:
        """Record a migration if no runner has; False when it was already recorded."""
        ...

    def release(self, version: str) -> None:
        """Forget a claim whose apply step failed, so that a later run retries it."""
        ...

    def finish(self, version: str) -> None:
        """Mark a claimed migration as applied in full (no longer `in_progress`)."""
        ...
