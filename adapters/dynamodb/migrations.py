"""The migrations table on DynamoDB: conditional claims so no two runners apply one twice."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import absent, delete, exists, put, update, write_atomically
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.mappers.migrations import migration_from_item, migration_to_item
from domain.errors import ConcurrentModification, DomainError
from ports.migrations import AppliedMigration


class _AlreadyClaimed(ConcurrentModification):
    """Another runner recorded the migration first."""


class DynamoDBMigrationLedger(DynamoDBRepository):
    """Records migrations so that no two runners ever apply one twice."""

    def applied(self) -> Sequence[AppliedMigration]:
        """Every recorded migration, by version.

        Multi: the one Scan of the adapter (the table is keyed by version alone, holds a few
        dozen items, and only the migration runner reads it, decision 067); single: a Query of
        the ledger's own partition.
        """
        items: list[Item] = []
        operation, request = self._layout.migrations_read()
        read = self._client.scan if operation == "Scan" else self._client.query
        while True:
            with storage_errors():
                response = read(**request)
            items.extend(response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if not last:
                break
            request["ExclusiveStartKey"] = last
        return sorted((migration_from_item(i) for i in items), key=lambda m: m.version)

    def claim(self, record: AppliedMigration) -> bool:
        """Record the migration unless a runner has (conditional put); False when one had."""
        layout = self._layout
        write = put(
            self._table(keys.MIGRATIONS),
            layout.migration_key(record.version),
            layout.stored(keys.MIGRATIONS, migration_to_item(record)),
            absent(layout.key_attribute(keys.MIGRATIONS)),
            _claimed,
        )
        try:
            write_atomically(self._client, [write])
        except _AlreadyClaimed:
            return False
        return True

    def release(self, version: str) -> None:
        """Forget a claim whose apply step failed, so that a later run retries it."""
        write_atomically(
            self._client,
            [delete(self._table(keys.MIGRATIONS), self._layout.migration_key(version))],
        )

    def finish(self, version: str) -> None:
        """Mark a claimed migration as applied in full (drop its `in_progress` flag)."""
        write_atomically(
            self._client,
            [
                update(
                    self._table(keys.MIGRATIONS),
                    self._layout.migration_key(version),
                    "REMOVE #flag",
                    {"#flag": "in_progress"},
                    {},
                    exists(self._layout.key_attribute(keys.MIGRATIONS)),
                )
            ],
        )


def _claimed(_old: Item | None) -> DomainError:
    return _AlreadyClaimed("the migration is recorded already")
