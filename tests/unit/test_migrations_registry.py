"""The registry of data migrations: what `flowlogic migrate` would run, per storage kind."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.dynamodb.layout_multi import MultiLayout
from adapters.memory.clock import FixedClock
from application.run_migrations import RunMigrations, RunMigrationsRequest
from infra.clients import DynamoDBResources
from infra.container import create_container
from infra.migrations import AUTHOR, dynamodb_migrations, migrations_for
from infra.settings import Settings
from tests.support.factories import T0

CLOCK = FixedClock(T0)


class NotConnected(Exception):
    """Raised by a client factory that must not be called yet."""


def never_connects() -> Any:
    raise NotConnected


def dynamodb_registry() -> list[Any]:
    return dynamodb_migrations(never_connects, MultiLayout("test", 4), CLOCK)


def test_versions_are_consecutive_digit_strings_from_001() -> None:
    versions = [migration.version for migration in dynamodb_registry()]

    assert versions == [f"{number:03d}" for number in range(1, len(versions) + 1)]
    assert versions[:2] == ["001", "002"]


def test_every_migration_says_what_it_does_and_who_wrote_it() -> None:
    for migration in dynamodb_registry():
        assert len(migration.description) > 20
        assert migration.author == AUTHOR


def test_the_runner_accepts_the_registry() -> None:
    RunMigrations(_NoLedger(), dynamodb_registry(), CLOCK)


def test_building_the_registry_does_not_reach_dynamodb_but_applying_does() -> None:
    first = dynamodb_registry()[0]

    with pytest.raises(NotConnected):
        first.apply(lambda done, total: None)


def test_the_memory_profile_has_no_migrations() -> None:
    settings = Settings.model_validate({"FLOWLOGIC_PROFILE": "memory"})

    assert migrations_for("memory", DynamoDBResources(settings), CLOCK) == []
    assert len(migrations_for("dynamodb", DynamoDBResources(settings), CLOCK)) >= 2


def test_the_containers_runner_on_the_memory_profile_has_nothing_pending() -> None:
    container = create_container(Settings.model_validate({"FLOWLOGIC_PROFILE": "memory"}))

    runner = container.run_migrations()

    assert runner.execute(RunMigrationsRequest(dry_run=True)) == []
    assert runner.execute(RunMigrationsRequest()) == []


class _NoLedger:
    def applied(self) -> list[Any]:
        return []

    def claim(self, record: Any) -> bool:
        return False

    def release(self, version: str) -> None:
        return None

    def finish(self, version: str) -> None:
        return None
