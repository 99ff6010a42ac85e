"""What every DynamoDB repository shares: the client, the physical table names, the shard count,
and the revision-guarded writes of the limits row and progress items (decision 053)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import Write, put, revision_is
from adapters.dynamodb.mappers.progress import progress_from_item, progress_key, progress_to_item
from adapters.dynamodb.mappers.user_limits import limits_from_item, limits_to_item
from domain.errors import ConcurrentModification
from domain.limits import UserLimits
from domain.progress import Progress

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBRepository:
    """Holds the injected client; does no work until a method is called."""

    def __init__(self, client: DynamoDBClient, table_names: Mapping[str, str], shards: int) -> None:
        if shards < 1:
            raise ValueError(f"shards must be at least 1, got {shards}")
        self._client = client
        self._table_names = dict(table_names)
        self._shards = shards

    def _table(self, logical: str) -> str:
        try:
            return self._table_names[logical]
        except KeyError:
            raise ValueError(f"no physical table name given for {logical!r}") from None

    def _limits_write(self, limits: UserLimits) -> tuple[Write, UserLimits]:
        """The guarded put of a limits row, and the row as it will be stored (revision + 1)."""
        item = limits_to_item(dataclasses.replace(limits, revision=limits.revision + 1))
        write = put(
            self._table(keys.USER_LIMITS),
            keys.limits_key(limits.user_id),
            item,
            revision_is(limits.revision),
            lambda _: ConcurrentModification("the limits row moved since it was read"),
        )
        return write, limits_from_item(item)

    @staticmethod
    def _stored_progress(progress: Progress) -> Progress:
        """The progress item as a guarded write stores it and a read gives it back."""
        stored = dataclasses.replace(progress, revision=progress.revision + 1)
        return progress_from_item(progress_to_item(stored))

    def _progress_write(self, progress: Progress) -> Write:
        """The guarded put of one progress item, stored with revision + 1."""
        stored = dataclasses.replace(progress, revision=progress.revision + 1)
        return put(
            self._table(keys.PROGRESS),
            progress_key(progress),
            progress_to_item(stored),
            revision_is(progress.revision),
            lambda _: ConcurrentModification(
                f"the progress of {progress.date.isoformat()} moved since it was read"
            ),
        )
