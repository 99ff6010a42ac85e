"""`flowlogic migrate [--dry-run]`: apply pending data migrations in order (SPEC.md 9)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ports.clock import Clock
from ports.migrations import AppliedMigration, MigrationLedger

ReportProgress = Callable[[int, int | None], None]
"""Called by a long apply step with (items done so far, total when known)."""

OnProgress = Callable[[str, int, int | None], None]
"""The runner's observer: (version, items done so far, total when known)."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One versioned data migration; `apply` must be idempotent (it may run again after a crash)."""

    version: str
    description: str
    author: str
    apply: Callable[[ReportProgress], None]


@dataclass(frozen=True, slots=True)
class RunMigrationsRequest:
    dry_run: bool = False


class RunMigrations:
    """Applies the migrations the ledger has not recorded, in version order.

    Rules enforced (decision 074):
    - Versions are digit strings ("001", "002", ...), unique, ordered numerically.
    - A dry run lists the pending versions and changes nothing.
    - Each migration is claimed with a conditional write before it is applied. A claim that
      fails means another runner has it (and may still be applying it): this run stops there,
      so no migration is ever applied before the ones it follows have finished.
    - A claim reads as in progress until its apply step finished; a runner that finds an
      earlier version in progress stops before the later ones (decision 143).
    - An apply step that raises has its claim released, so a later run retries it; the error
      propagates and the later migrations are not applied in this run.
    - Returns the versions pending (dry run) or applied by this run.
    """

    def __init__(
        self,
        ledger: MigrationLedger,
        migrations: Sequence[Migration],
        clock: Clock,
        on_progress: OnProgress | None = None,
    ) -> None:
        versions = [m.version for m in migrations]
        if any(not v.isdigit() or not v.isascii() for v in versions):
            raise ValueError(f"migration versions are digit strings like '001': {versions}")
        if len(set(versions)) != len(versions):
            raise ValueError(f"migration versions repeat: {versions}")
        self._ledger = ledger
        self._migrations = sorted(migrations, key=lambda m: (int(m.version), m.version))
        self._clock = clock
        self._on_progress = on_progress

    def execute(self, request: RunMigrationsRequest) -> list[str]:
        ledger = self._ledger.applied()
        recorded = {m.version for m in ledger}
        unfinished = [int(m.version) for m in ledger if m.in_progress and m.version.isdigit()]
        pending = [m for m in self._migrations if m.version not in recorded]
        if request.dry_run:
            return [m.version for m in pending]
        applied: list[str] = []
        for migration in pending:
            if any(version < int(migration.version) for version in unfinished):
                break  # an earlier one is still being applied by another runner
            record = AppliedMigration(
                migration.version,
                self._clock.now(),
                migration.description,
                migration.author,
                in_progress=True,
            )
            if not self._ledger.claim(record):
                break  # another runner is on it; later migrations may depend on it
            try:
                migration.apply(self._reporter(migration.version))
            except BaseException:
                self._ledger.release(migration.version)
                raise
            self._ledger.finish(migration.version)
            applied.append(migration.version)
        return applied

    def _reporter(self, version: str) -> ReportProgress:
        observer = self._on_progress
        if observer is None:
            return lambda done, total: None
        return lambda done, total: observer(version, done, total)
