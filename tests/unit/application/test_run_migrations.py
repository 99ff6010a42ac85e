"""Data migrations: pending in order, claimed once, released on failure (decision 074)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from adapters.memory.clock import FixedClock
from application.run_migrations import (
    Migration,
    ReportProgress,
    RunMigrations,
    RunMigrationsRequest,
)
from ports.migrations import AppliedMigration, MigrationLedger
from tests.support.stores import Stores
from tests.unit.application.conftest import NOW

APPLY = RunMigrationsRequest()
DRY_RUN = RunMigrationsRequest(dry_run=True)


def a_migration(
    version: str, ran: list[str], step: Callable[[ReportProgress], None] | None = None
) -> Migration:
    def apply(report: ReportProgress) -> None:
        if step is not None:
            step(report)
        ran.append(version)

    return Migration(version, f"backfill {version}", "ops@flowlogic", apply)


def test_pending_migrations_are_applied_in_version_order(stores: Stores, clock: FixedClock) -> None:
    ran: list[str] = []
    migrations = [a_migration(v, ran) for v in ("010", "002", "001")]
    applied = RunMigrations(stores.migrations, migrations, clock).execute(APPLY)
    assert applied == ran == ["001", "002", "010"]
    assert [m.version for m in stores.migrations.applied()] == ["001", "002", "010"]


def test_each_applied_migration_is_recorded_with_its_description_author_and_time(
    stores: Stores, clock: FixedClock
) -> None:
    RunMigrations(stores.migrations, [a_migration("001", [])], clock).execute(APPLY)
    assert list(stores.migrations.applied()) == [
        AppliedMigration("001", NOW, "backfill 001", "ops@flowlogic")
    ]


def test_a_second_run_applies_only_what_is_new(stores: Stores, clock: FixedClock) -> None:
    ran: list[str] = []
    RunMigrations(stores.migrations, [a_migration("001", ran)], clock).execute(APPLY)
    migrations = [a_migration("001", ran), a_migration("002", ran)]
    assert RunMigrations(stores.migrations, migrations, clock).execute(APPLY) == ["002"]
    assert ran == ["001", "002"]


def test_a_dry_run_lists_the_pending_versions_and_changes_nothing(
    stores: Stores, clock: FixedClock
) -> None:
    ran: list[str] = []
    RunMigrations(stores.migrations, [a_migration("001", ran)], clock).execute(APPLY)
    migrations = [a_migration(v, ran) for v in ("003", "001", "002")]
    assert RunMigrations(stores.migrations, migrations, clock).execute(DRY_RUN) == ["002", "003"]
    assert ran == ["001"]
    assert [m.version for m in stores.migrations.applied()] == ["001"]


def test_a_migration_claimed_by_another_runner_is_skipped(
    stores: Stores, clock: FixedClock
) -> None:
    stores.migrations.claim(AppliedMigration("001", NOW, "backfill 001", "other runner"))
    ran: list[str] = []
    migrations = [a_migration("001", ran), a_migration("002", ran)]
    assert RunMigrations(stores.migrations, migrations, clock).execute(APPLY) == ["002"]
    assert ran == ["002"]


def test_a_failing_migration_is_released_and_stops_the_run(
    stores: Stores, clock: FixedClock
) -> None:
    ran: list[str] = []

    def breaks(report: ReportProgress) -> None:
        raise RuntimeError("backfill broke")

    migrations = [a_migration("001", ran), a_migration("002", ran, breaks), a_migration("003", ran)]
    with pytest.raises(RuntimeError, match="backfill broke"):
        RunMigrations(stores.migrations, migrations, clock).execute(APPLY)
    assert ran == ["001"]
    assert [m.version for m in stores.migrations.applied()] == ["001"]
    fixed = [a_migration(v, ran) for v in ("001", "002", "003")]
    assert RunMigrations(stores.migrations, fixed, clock).execute(APPLY) == ["002", "003"]


def test_long_migrations_report_their_progress_under_their_version(
    stores: Stores, clock: FixedClock
) -> None:
    seen: list[tuple[str, int, int | None]] = []

    def backfill(report: ReportProgress) -> None:
        for done in range(1, 4):
            report(done, 3)

    migration = a_migration("007", [], backfill)
    runner = RunMigrations(
        stores.migrations, [migration], clock, on_progress=lambda *event: seen.append(event)
    )
    runner.execute(APPLY)
    assert seen == [("007", 1, 3), ("007", 2, 3), ("007", 3, 3)]


def test_progress_reports_are_harmless_without_an_observer(
    stores: Stores, clock: FixedClock
) -> None:
    migration = a_migration("001", [], lambda report: report(5, None))
    assert RunMigrations(stores.migrations, [migration], clock).execute(APPLY) == ["001"]


@pytest.mark.parametrize("versions", [("001", "001"), ("001", "2a"), ("", "002"), ("٣",)])
def test_versions_must_be_unique_digit_strings(
    stores: Stores, clock: FixedClock, versions: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match="version"):
        RunMigrations(stores.migrations, [a_migration(v, []) for v in versions], clock)


class _ClaimedMeanwhile:
    """A ledger on which another runner claims `version` between our read and our claim."""

    def __init__(self, inner: MigrationLedger, version: str) -> None:
        self._inner = inner
        self._version = version

    def applied(self) -> Sequence[AppliedMigration]:
        return self._inner.applied()

    def claim(self, record: AppliedMigration) -> bool:
        if record.version == self._version:
            self._inner.claim(AppliedMigration(self._version, NOW, "its", "other runner"))
        return self._inner.claim(record)

    def release(self, version: str) -> None:
        self._inner.release(version)

    def finish(self, version: str) -> None:
        self._inner.finish(version)


def test_a_run_stops_at_a_migration_another_runner_is_still_applying(
    stores: Stores, clock: FixedClock
) -> None:
    ran: list[str] = []
    migrations = [a_migration(v, ran) for v in ("001", "002", "003")]
    ledger = _ClaimedMeanwhile(stores.migrations, "002")

    applied = RunMigrations(ledger, migrations, clock).execute(APPLY)

    assert applied == ["001"]
    assert ran == ["001"]  # 003 may depend on 002, which the other runner has not finished
