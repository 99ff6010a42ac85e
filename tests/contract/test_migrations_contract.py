"""MigrationLedger: a conditional create per version."""

from __future__ import annotations

from ports.migrations import AppliedMigration
from tests.support.factories import T0
from tests.support.stores import Stores


def a_migration(version: str, author: str = "lead") -> AppliedMigration:
    return AppliedMigration(version, T0, f"migration {version}", author)


def test_nothing_is_applied_in_a_fresh_store(stores: Stores) -> None:
    assert list(stores.migrations.applied()) == []


def test_a_claimed_migration_is_listed_as_applied(stores: Stores) -> None:
    assert stores.migrations.claim(a_migration("001")) is True
    assert list(stores.migrations.applied()) == [a_migration("001")]


def test_a_second_claim_of_one_version_loses_and_keeps_the_first_record(stores: Stores) -> None:
    assert stores.migrations.claim(a_migration("001", author="first")) is True
    assert stores.migrations.claim(a_migration("001", author="second")) is False
    assert list(stores.migrations.applied()) == [a_migration("001", author="first")]


def test_applied_migrations_are_listed_by_version(stores: Stores) -> None:
    for version in ("003", "001", "002"):
        stores.migrations.claim(a_migration(version))
    assert [m.version for m in stores.migrations.applied()] == ["001", "002", "003"]


def test_a_released_claim_can_be_claimed_again(stores: Stores) -> None:
    stores.migrations.claim(a_migration("001"))
    stores.migrations.release("001")
    assert list(stores.migrations.applied()) == []
    assert stores.migrations.claim(a_migration("001")) is True


def test_releasing_an_unknown_version_changes_nothing(stores: Stores) -> None:
    stores.migrations.claim(a_migration("001"))
    stores.migrations.release("999")
    assert list(stores.migrations.applied()) == [a_migration("001")]


def test_a_claim_reads_as_in_progress_until_it_is_finished(stores: Stores) -> None:
    record = AppliedMigration("001", T0, "backfill", "tests", in_progress=True)
    assert stores.migrations.claim(record)
    assert stores.migrations.applied() == [record]
    stores.migrations.finish("001")
    [finished] = stores.migrations.applied()
    assert not finished.in_progress
    assert finished.version == "001"
