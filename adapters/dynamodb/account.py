"""Export and erasure of everything stored about one user: one Query per user table, no Scan."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import Condition, Write, delete, write_atomically
from adapters.dynamodb.attributes import Item, get_s, item_to_json, s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.batches import MAX_BATCH_ITEMS, batch_write, delete_request
from adapters.dynamodb.calls import query_all
from adapters.dynamodb.mappers import assessments, calendar_tasks, plans
from adapters.dynamodb.mappers.subscriptions import subscription_from_item
from adapters.dynamodb.mappers.users import RESERVED_BY, is_user_item
from domain.subscription import Subscription

# The key attribute names of each user table (the partition key is user_id everywhere).
_SORT_KEYS: Mapping[str, str | None] = {
    keys.USERS: None,
    keys.SUBSCRIPTIONS: "subscription_id",
    keys.ASSESSMENTS: "assessment_id",
    keys.PLANS: "plan_id",
    keys.CALENDAR_TASKS: calendar_tasks.SORT_KEY,
    keys.PROGRESS: "date",
    keys.USER_LIMITS: None,
}

# Attributes written only to key the indexes (decision 050): storage detail, not user data.
_NOT_EXPORTED: Mapping[str, tuple[str, ...]] = {
    keys.ASSESSMENTS: assessments.INDEX_ATTRIBUTES,
    keys.PLANS: plans.INDEX_ATTRIBUTES,
    keys.CALENDAR_TASKS: (*calendar_tasks.INDEX_ATTRIBUTES, calendar_tasks.SORT_KEY),
}


class DynamoDBAccountStore(DynamoDBRepository):
    """Every item of a user across the seven user tables (one Query each, in parallel)."""

    def export(self, user_id: str) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        """Every item of the user, by table name, each table in key order, as JSON values."""
        found = self._items_of(user_id, keys.USER_TABLES, whole=keys.USER_TABLES)
        return {
            table: [item_to_json(item, _NOT_EXPORTED.get(table, ())) for item in items]
            for table, items in found.items()
        }

    def erase(
        self,
        user_id: str,
        email: str | None,
        *,
        before_deleting: Callable[[Sequence[Subscription]], None] | None = None,
    ) -> int:
        """Delete every item of the user and free the email; how many items went.

        One Query per table finds the items (decision 119). They are deleted in chunks of 25,
        BatchWriteItem's limit, the user item and the email reservation in the last chunk:
        that one is a transaction, so the two go together and the reservation only while it is
        still this user's. Until then the stored user still names the email, so an erasure
        interrupted before it is finished by calling again.
        """
        found = self._items_of(user_id, keys.USER_TABLES, whole={keys.USERS, keys.SUBSCRIPTIONS})
        user_items = [item for item in found[keys.USERS] if is_user_item(item)]
        if email is None and user_items:
            email = get_s(user_items[0], "email")
        if before_deleting is not None:
            before_deleting([subscription_from_item(i) for i in found[keys.SUBSCRIPTIONS]])
        doomed = [
            (self._table(table), self._key_of(table, item))
            for table in keys.USER_TABLES
            if table != keys.USERS
            for item in found[table]
        ]
        last = [delete(self._table(keys.USERS), keys.user_key(user_id)) for _ in user_items]
        if email is not None:
            last.insert(0, self._reservation_delete(email, user_id))
        total = len(doomed) + len(last)
        # The last chunk's size when every chunk before it holds 25; it must hold `last` whole
        # (a transaction may hold up to 100 items).
        tail = (total - 1) % MAX_BATCH_ITEMS + 1 if last else 0
        if tail < len(last):
            tail += MAX_BATCH_ITEMS
        split = total - tail
        batch_write(self._client, [(table, delete_request(key)) for table, key in doomed[:split]])
        if not last:
            return total + self._sweep(user_id)
        together = [delete(table, key) for table, key in doomed[split:]]
        dropped = write_atomically(self._client, [*together, *last])
        return total - len(dropped) + self._sweep(user_id)

    def _sweep(self, user_id: str) -> int:
        """Delete what concurrent writers created after the queries above; how many items.

        Every write that creates a user's item is conditioned on another item of the user
        (limits revision, active plan, stored task or attempt, the user item): once everything
        found is gone, no such write can land, so one more pass finds all that did (issue 12).
        A user item found again means the id registered anew: its items are not ours to delete.
        """
        found = self._items_of(user_id, keys.USER_TABLES, whole={keys.USERS})
        if any(is_user_item(item) for item in found[keys.USERS]):
            return 0
        leftovers = [
            (self._table(table), delete_request(self._key_of(table, item)))
            for table in keys.USER_TABLES
            if table != keys.USERS
            for item in found[table]
        ]
        batch_write(self._client, leftovers)
        return len(leftovers)

    def _reservation_delete(self, email: str, user_id: str) -> Write:
        """The reservation's delete, dropped when it is absent or another user's by now."""
        return delete(
            self._table(keys.USERS),
            keys.email_reservation_key(email),
            Condition("#owner = :owner", {"#owner": RESERVED_BY}, {":owner": s(user_id)}),
            skip_when_condition_fails=True,
        )

    def _items_of(
        self, user_id: str, tables: Sequence[str], *, whole: Collection[str]
    ) -> dict[str, list[Item]]:
        """The user's items of each table: whole in the `whole` tables, else only their keys."""

        def read(table: str) -> list[Item]:
            request: dict[str, Any] = {
                "TableName": self._table(table),
                "KeyConditionExpression": "#user = :user",
                "ExpressionAttributeNames": {"#user": "user_id"},
                "ExpressionAttributeValues": {":user": s(user_id)},
                "ConsistentRead": True,
            }
            sort_key = _SORT_KEYS[table]
            if table not in whole:
                request["ProjectionExpression"] = "#user" + (", #sort" if sort_key else "")
                if sort_key:
                    request["ExpressionAttributeNames"]["#sort"] = sort_key
            return query_all(self._client, request)

        with ThreadPoolExecutor(max_workers=len(tables)) as pool:
            results = list(pool.map(read, tables))
        return dict(zip(tables, results, strict=True))

    @staticmethod
    def _key_of(table: str, item: Item) -> Item:
        sort_key = _SORT_KEYS[table]
        key = {"user_id": item["user_id"]}
        if sort_key:
            key[sort_key] = item[sort_key]
        return key
