"""Export and erasure of everything stored about one user: one Query per user table, no Scan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from adapters.dynamodb import keys
from adapters.dynamodb.atomic import delete, write_atomically
from adapters.dynamodb.attributes import Item, get_s, item_to_json, s
from adapters.dynamodb.base import DynamoDBRepository
from adapters.dynamodb.batches import batch_write, delete_request
from adapters.dynamodb.calls import error_code, get_item, query_all, storage_errors
from adapters.dynamodb.mappers import assessments, calendar_tasks, plans
from adapters.dynamodb.mappers.users import RESERVED_BY, is_user_item

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
        found = self._items_of(user_id, keys.USER_TABLES, keys_only=False)
        return {
            table: [item_to_json(item, _NOT_EXPORTED.get(table, ())) for item in items]
            for table, items in found.items()
        }

    def erase(self, user_id: str, email: str | None) -> int:
        """Delete every item of the user and free the email; how many items went.

        Batches of up to 25 deletes (tables mixed), then the reservation, the user item last, so
        that an interrupted erasure still finds the stored email when it is called again.
        """
        user_item = get_item(self._client, self._table(keys.USERS), keys.user_key(user_id))
        if email is None and user_item is not None and is_user_item(user_item):
            email = get_s(user_item, "email")
        others = [table for table in keys.USER_TABLES if table != keys.USERS]
        found = self._items_of(user_id, others, keys_only=True)
        requests = [
            (self._table(table), delete_request(self._key_of(table, item)))
            for table in others
            for item in found[table]
        ]
        batch_write(self._client, requests)
        deleted = len(requests)
        if email is not None:
            deleted += self._free_email(email, user_id)
        if user_item is not None and is_user_item(user_item):
            write_atomically(
                self._client, [delete(self._table(keys.USERS), keys.user_key(user_id))]
            )
            deleted += 1
        return deleted

    def _free_email(self, email: str, user_id: str) -> int:
        """Delete the reservation if it is this user's (1), else leave it (0)."""
        try:
            with storage_errors():
                response = self._client.delete_item(
                    TableName=self._table(keys.USERS),
                    Key=keys.email_reservation_key(email),
                    ConditionExpression="#owner = :owner",
                    ExpressionAttributeNames={"#owner": RESERVED_BY},
                    ExpressionAttributeValues={":owner": s(user_id)},
                    ReturnValues="ALL_OLD",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return 0  # absent, or another account's address by now
            raise
        return 1 if response.get("Attributes") else 0

    def _items_of(
        self, user_id: str, tables: Sequence[str], *, keys_only: bool
    ) -> dict[str, list[Item]]:
        def read(table: str) -> list[Item]:
            request: dict[str, Any] = {
                "TableName": self._table(table),
                "KeyConditionExpression": "#user = :user",
                "ExpressionAttributeNames": {"#user": "user_id"},
                "ExpressionAttributeValues": {":user": s(user_id)},
                "ConsistentRead": True,
            }
            sort_key = _SORT_KEYS[table]
            if keys_only:
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
