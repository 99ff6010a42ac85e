"""What every DynamoDB repository shares: the client, the layout (tables, keys, indexes, shard
count), and the revision-guarded writes of the limits row and progress items (decision 053)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import Write, put, revision_is
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.mappers.progress import progress_from_item, progress_to_item
from adapters.dynamodb.mappers.user_limits import limits_from_item, limits_to_item
from domain.errors import ConcurrentModification
from domain.limits import UserLimits
from domain.progress import Progress

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBRepository:
    """Holds the injected client; does no work until a method is called."""

    def __init__(self, client: DynamoDBClient, layout: Layout) -> None:
        self._client = client
        self._layout = layout

    @property
    def layout(self) -> Layout:
        return self._layout

    def _table(self, entity: str) -> str:
        return self._layout.table(entity)

    def _limits_write(self, limits: UserLimits) -> tuple[Write, UserLimits]:
        """The guarded put of a limits row, and the row as it will be stored (revision + 1)."""
        attributes = limits_to_item(dataclasses.replace(limits, revision=limits.revision + 1))
        write = put(
            self._table(keys.USER_LIMITS),
            self._layout.limits_key(limits.user_id),
            self._layout.stored(keys.USER_LIMITS, attributes),
            revision_is(limits.revision),
            lambda _: ConcurrentModification("the limits row moved since it was read"),
        )
        return write, limits_from_item(attributes)

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
            self._layout.progress_key(progress.user_id, progress.date),
            self._layout.stored(keys.PROGRESS, progress_to_item(stored)),
            revision_is(progress.revision),
            lambda _: ConcurrentModification(
                f"the progress of {progress.date.isoformat()} moved since it was read"
            ),
        )
