"""The user-limits table on DynamoDB: consistent reads, revision-guarded puts (decision 053)."""

from __future__ import annotations

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import write_atomically
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.calls import get_item
from adapters.dynamodb.mappers.user_limits import limits_from_item
from domain.limits import UserLimits


class DynamoDBLimitsRepository(DynamoDBRepository):
    """Reads and conditionally writes a user's limits row."""

    def get(self, user_id: str) -> UserLimits | None:
        """The limits row, read consistently (admission decides on it), or None."""
        key = self._layout.limits_key(user_id)
        item = get_item(self._client, self._table(keys.USER_LIMITS), key)
        return limits_from_item(item) if item is not None else None

    def save(self, limits: UserLimits) -> UserLimits:
        """Put the row if its stored revision is still `limits.revision`; return it as stored."""
        write, stored = self._limits_write(limits)
        write_atomically(self._client, [write])
        return stored
