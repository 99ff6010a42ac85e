"""The migration runner over the registry and the DynamoDB ledger, on the embedded server."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.mappers.users import user_to_item
from adapters.dynamodb.migrations import DynamoDBMigrationLedger
from adapters.memory.clock import FixedClock
from application.run_migrations import (
    Migration,
    ReportProgress,
    RunMigrations,
    RunMigrationsRequest,
)
from infra.migrations import AUTHOR, dynamodb_migrations
from ports.migrations import AppliedMigration, MigrationLedger
from tests.support.factories import T0, a_user, limits_for
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

APPLY = RunMigrationsRequest()
DRY_RUN = RunMigrationsRequest(dry_run=True)
VERSIONS = ["001", "002"]


class Counted:
    """The registry's migrations, counting how often each apply step runs."""

    def __init__(self, migrations: Sequence[Migration]) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.migrations = [dataclasses.replace(m, apply=self._counting(m)) for m in migrations]

    def _counting(self, migration: Migration) -> Any:
        def apply(report: ReportProgress) -> None:
            with self._lock:
                self.calls[migration.version] += 1
            migration.apply(report)

        return apply


class InStep:
    """A ledger whose runners have all read what is applied before any of them claims."""

    def __init__(self, ledger: MigrationLedger, barrier: threading.Barrier) -> None:
        self._ledger = ledger
        self._barrier = barrier

    def applied(self) -> Sequence[AppliedMigration]:
        seen = self._ledger.applied()
        self._barrier.wait(timeout=30)
        return seen

    def claim(self, record: AppliedMigration) -> bool:
        return self._ledger.claim(record)

    def release(self, version: str) -> None:
        self._ledger.release(version)

    def finish(self, version: str) -> None:
        self._ledger.finish(version)


def registry(client: DynamoDBClient, layout: Layout) -> list[Migration]:
    return dynamodb_migrations(lambda: client, layout, FixedClock(T0))


def legacy_users(client: DynamoDBClient, layout: Layout, count: int) -> None:
    """Users stored without a limits row, as before migration 001."""
    for number in range(count):
        user = a_user(f"legacy-{number}")
        item = layout.stored(keys.USERS, user_to_item(user))
        client.put_item(TableName=layout.table(keys.USERS), Item=item)


def limits_rows(client: DynamoDBClient, layout: Layout) -> int:
    table = layout.table(keys.USER_LIMITS)
    items = client.scan(TableName=table)["Items"]
    return sum(1 for item in items if layout.entity_of(table, item) == keys.USER_LIMITS)


def test_a_dry_run_lists_the_pending_migrations_and_applies_none(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    legacy_users(client, layout, 3)
    counted = Counted(registry(client, layout))

    pending = RunMigrations(stores.migrations, counted.migrations, FixedClock(T0)).execute(DRY_RUN)

    assert pending == VERSIONS
    assert counted.calls == Counter()
    assert stores.migrations.applied() == []
    assert limits_rows(client, layout) == 0


def test_applying_records_each_migration_with_its_description_and_author(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    legacy_users(client, layout, 3)
    runner = RunMigrations(stores.migrations, registry(client, layout), FixedClock(T0))

    applied = runner.execute(APPLY)

    assert applied == VERSIONS
    recorded = stores.migrations.applied()
    assert [(m.version, m.author, m.applied_at) for m in recorded] == [
        ("001", AUTHOR, T0),
        ("002", AUTHOR, T0),
    ]
    assert all(m.description for m in recorded)
    assert limits_rows(client, layout) == 3
    assert runner.execute(APPLY) == []
    assert runner.execute(DRY_RUN) == []


def test_two_runners_started_together_apply_each_migration_exactly_once(
    client: DynamoDBClient, plain_client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    legacy_users(client, layout, 5)
    registered = a_user("registered-1")
    stores.users.add(registered, limits_for(registered))
    counted = Counted(registry(client, layout))
    barrier = threading.Barrier(2)
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def run(name: str, runner_client: DynamoDBClient) -> None:
        ledger = InStep(DynamoDBMigrationLedger(runner_client, layout), barrier)
        try:
            results[name] = RunMigrations(ledger, counted.migrations, FixedClock(T0)).execute(APPLY)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=("a", client)),
        threading.Thread(target=run, args=("b", plain_client)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results["a"] + results["b"]) == VERSIONS  # each applied by one runner
    assert counted.calls == Counter({"001": 1, "002": 1})
    ledger = DynamoDBMigrationLedger(client, layout)
    assert [m.version for m in ledger.applied()] == VERSIONS
    assert limits_rows(client, layout) == 6


class Interrupted(Exception):
    """The apply step stopped half-way."""


def test_a_failing_apply_releases_its_claim_and_a_later_run_applies_it(
    client: DynamoDBClient, layout: Layout, stores: Stores
) -> None:
    legacy_users(client, layout, 4)
    real = registry(client, layout)

    def interrupted_after_the_first_page(report: ReportProgress) -> None:
        def report_then_fail(done: int, total: int | None) -> None:
            report(done, total)
            if done > 0:
                raise Interrupted

        real[0].apply(report_then_fail)

    failing = [dataclasses.replace(real[0], apply=interrupted_after_the_first_page), real[1]]

    with pytest.raises(Interrupted):
        RunMigrations(stores.migrations, failing, FixedClock(T0)).execute(APPLY)

    assert stores.migrations.applied() == []  # 001 released, 002 never claimed
    assert limits_rows(client, layout) == 4  # the page was written before the interruption
    counted = Counted(real)
    runner = RunMigrations(stores.migrations, counted.migrations, FixedClock(T0))
    assert runner.execute(DRY_RUN) == VERSIONS
    assert runner.execute(APPLY) == VERSIONS
    assert counted.calls == Counter({"001": 1, "002": 1})
    assert limits_rows(client, layout) == 4
