"""Export and erasure of everything stored about one user: the layout's Queries of the user's
items (multi: one per user table, in parallel; single: one of the user's item collection), no
Scan."""

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
from adapters.dynamodb.layout import sort_value
from adapters.dynamodb.mappers.subscriptions import subscription_from_item
from adapters.dynamodb.mappers.users import RESERVED_BY
from domain.subscription import Subscription

# Sweeps after the erasure's deletes; each finds what writers created during the one before.
_MAX_SWEEPS = 5


class DynamoDBAccountStore(DynamoDBRepository):
    """Every item of a user, whichever entity and table it is stored as."""

    def export(self, user_id: str) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        """Every item of the user, by table name, each table in documented key order (whatever
        order the layout keeps them in), as JSON values."""
        found = self._items_of(user_id, whole=keys.USER_TABLES)
        layout = self._layout
        return {
            entity: [
                item_to_json(item, layout.storage_attributes(entity))
                for item in sorted(items, key=lambda item: sort_value(entity, item))
            ]
            for entity, items in found.items()
        }

    def erase(
        self,
        user_id: str,
        email: str | None,
        *,
        before_deleting: Callable[[Sequence[Subscription]], None] | None = None,
    ) -> int:
        """Delete every item of the user and free the email; how many items went.

        The layout's Queries find the items (decision 119). They are deleted in chunks of 25,
        BatchWriteItem's limit, the user item and the email reservation in the last chunk:
        that one is a transaction, so the two go together and the reservation only while it is
        still this user's. Until then the stored user still names the email, so an erasure
        interrupted before it is finished by calling again.
        """
        found = self._items_of(user_id, whole={keys.USERS, keys.SUBSCRIPTIONS})
        user_items = found[keys.USERS]
        layout = self._layout
        if email is None and user_items:
            email = get_s(user_items[0], "email")
        if before_deleting is not None:
            before_deleting([subscription_from_item(i) for i in found[keys.SUBSCRIPTIONS]])
        doomed = [
            (self._table(entity), layout.key_of(entity, item))
            for entity in keys.USER_TABLES
            if entity != keys.USERS
            for item in found[entity]
        ]
        last = [delete(self._table(keys.USERS), layout.user_key(user_id)) for _ in user_items]
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
        (limits revision, active plan, stored task or attempt, the user item), and the user
        item is gone. A pass deletes what it found; a writer can only land after it through an
        item the pass did not find (a plan activated while the user still existed, whose tasks
        are scheduled while the pass runs), so passes repeat until one finds nothing: the chain
        user -> plan -> tasks ends within a few (issue 12, decision 141).
        A user item found again means the id registered anew: its items are not ours to delete.
        """
        swept = 0
        for _ in range(_MAX_SWEEPS):
            found = self._items_of(user_id, whole={keys.USERS})
            if found[keys.USERS]:
                return swept
            layout = self._layout
            leftovers = [
                (self._table(entity), delete_request(layout.key_of(entity, item)))
                for entity in keys.USER_TABLES
                if entity != keys.USERS
                for item in found[entity]
            ]
            if not leftovers:
                return swept
            batch_write(self._client, leftovers)
            swept += len(leftovers)
        return swept

    def _reservation_delete(self, email: str, user_id: str) -> Write:
        """The reservation's delete, dropped when it is absent or another user's by now."""
        return delete(
            self._table(keys.EMAIL_RESERVATION),
            self._layout.email_key(email),
            Condition("#owner = :owner", {"#owner": RESERVED_BY}, {":owner": s(user_id)}),
            skip_when_condition_fails=True,
        )

    def _items_of(self, user_id: str, *, whole: Collection[str]) -> dict[str, list[Item]]:
        """The user's items by entity, in key order: whole for the `whole` entities, else at
        least their keys (a table of other entities is read for its keys only)."""
        layout = self._layout
        reads = layout.user_reads(user_id)

        def read(entity: str | None, request: dict[str, Any]) -> list[Item]:
            if entity is not None and entity not in whole:
                request = _keys_only(request, layout.key_names(entity))
            return query_all(self._client, request)

        with ThreadPoolExecutor(max_workers=len(reads)) as pool:
            results = list(pool.map(lambda pair: read(*pair), reads))
        found: dict[str, list[Item]] = {entity: [] for entity in keys.USER_TABLES}
        for (entity, request), items in zip(reads, results, strict=True):
            for item in items:
                kind = entity or layout.entity_of(request["TableName"], item)
                if kind in found:
                    found[kind].append(item)
        return found


def _keys_only(request: dict[str, Any], key_names: Sequence[str]) -> dict[str, Any]:
    """The request reading only the key attributes of the items."""
    projected = {f"#k{number}": name for number, name in enumerate(key_names)}
    return {
        **request,
        "ProjectionExpression": ", ".join(projected),
        "ExpressionAttributeNames": {**request["ExpressionAttributeNames"], **projected},
    }
