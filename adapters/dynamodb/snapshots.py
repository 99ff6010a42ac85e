"""Several of one user's items from different tables: one BatchGetItem (decision 115)."""

from __future__ import annotations

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.batches import batch_get
from adapters.dynamodb.mappers.assessments import assessment_from_item
from adapters.dynamodb.mappers.calendar_tasks import task_from_item
from adapters.dynamodb.mappers.progress import progress_from_item
from adapters.dynamodb.mappers.user_limits import limits_from_item
from adapters.dynamodb.mappers.users import is_user_item, user_from_item
from ports.snapshots import Snapshot, SnapshotRequest


class DynamoDBSnapshotReader(DynamoDBRepository):
    """Point reads across the user tables: one key per table, one consistent BatchGetItem."""

    def read(self, request: SnapshotRequest) -> Snapshot:
        """Every part asked for, each read consistently; nothing is sent when nothing is asked."""
        if request.is_empty:
            return Snapshot()
        owner = request.user_id
        wanted: dict[str, Item] = {}
        if request.user:
            wanted[keys.USERS] = keys.user_key(owner)
        if request.limits:
            wanted[keys.USER_LIMITS] = keys.limits_key(owner)
        if request.assessment_id is not None:
            wanted[keys.ASSESSMENTS] = keys.assessment_key(owner, request.assessment_id)
        if request.task is not None:
            wanted[keys.CALENDAR_TASKS] = keys.task_key(owner, *request.task)
        if request.progress_date is not None:
            wanted[keys.PROGRESS] = keys.progress_key(owner, request.progress_date)
        # One key per table, so whatever a table returns is the item asked of it.
        found = batch_get(
            self._client, {self._table(table): [key] for table, key in wanted.items()}
        )
        items = {table: found.get(self._table(table), []) for table in wanted}
        user = next((i for i in items.get(keys.USERS, []) if is_user_item(i)), None)
        limits = _only(items.get(keys.USER_LIMITS))
        assessment = _only(items.get(keys.ASSESSMENTS))
        task = _only(items.get(keys.CALENDAR_TASKS))
        progress = _only(items.get(keys.PROGRESS))
        return Snapshot(
            user=None if user is None else user_from_item(user),
            limits=None if limits is None else limits_from_item(limits),
            assessment=None if assessment is None else assessment_from_item(assessment),
            task=None if task is None else task_from_item(task),
            progress=None if progress is None else progress_from_item(progress),
        )


def _only(items: list[Item] | None) -> Item | None:
    return items[0] if items else None
