"""Several of one user's items of different entities: one BatchGetItem (decision 115)."""

from __future__ import annotations

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.batches import batch_get
from adapters.dynamodb.mappers.assessments import assessment_from_item
from adapters.dynamodb.mappers.calendar_tasks import task_from_item
from adapters.dynamodb.mappers.progress import progress_from_item
from adapters.dynamodb.mappers.user_limits import limits_from_item
from adapters.dynamodb.mappers.users import user_from_item
from ports.snapshots import Snapshot, SnapshotRequest


class DynamoDBSnapshotReader(DynamoDBRepository):
    """Point reads across a user's entities: one key each, one consistent BatchGetItem."""

    def read(self, request: SnapshotRequest) -> Snapshot:
        """Every part asked for, each read consistently; nothing is sent when nothing is asked."""
        if request.is_empty:
            return Snapshot()
        owner = request.user_id
        layout = self._layout
        wanted: dict[str, Item] = {}
        if request.user:
            wanted[keys.USERS] = layout.user_key(owner)
        if request.limits:
            wanted[keys.USER_LIMITS] = layout.limits_key(owner)
        if request.assessment_id is not None:
            wanted[keys.ASSESSMENTS] = layout.assessment_key(owner, request.assessment_id)
        if request.task is not None:
            wanted[keys.CALENDAR_TASKS] = layout.task_key(owner, *request.task)
        if request.progress_date is not None:
            wanted[keys.PROGRESS] = layout.progress_key(owner, request.progress_date)
        by_table: dict[str, list[Item]] = {}
        for entity, key in wanted.items():
            by_table.setdefault(self._table(entity), []).append(key)
        found = batch_get(self._client, by_table)
        # One key per entity, so an item of an entity asked for is the item asked of it.
        items: dict[str, Item] = {}
        for table, table_items in found.items():
            for item in table_items:
                kind = layout.entity_of(table, item)
                if kind is not None and kind in wanted:
                    items[kind] = item
        user = items.get(keys.USERS)
        limits = items.get(keys.USER_LIMITS)
        assessment = items.get(keys.ASSESSMENTS)
        task = items.get(keys.CALENDAR_TASKS)
        progress = items.get(keys.PROGRESS)
        return Snapshot(
            user=None if user is None else user_from_item(user),
            limits=None if limits is None else limits_from_item(limits),
            assessment=None if assessment is None else assessment_from_item(assessment),
            task=None if task is None else task_from_item(task),
            progress=None if progress is None else progress_from_item(progress),
        )
