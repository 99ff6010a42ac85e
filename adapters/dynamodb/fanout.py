"""Cross-user listings over sharded index keys: one Query per shard in parallel, merged in order.

The merged order is a total order over items (`position`, e.g. created_at, user_id, id), and
a cursor is the position of the last item handed out, so it does not depend on the number of
shards or on DynamoDB's order of items with equal index sort keys
(docs/decisions/068-cross-user-listings.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.dynamodb.attributes import Item, get_s
from adapters.dynamodb.calls import storage_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_PARALLEL_QUERIES = 16

Position = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """How a cross-user listing orders what it reads and what one page counts."""

    index_sort: str  # the index's sort key attribute (a string), by which each shard is ordered
    position: Callable[[Item], Position]  # the total order; starts with the index sort key
    unit: Callable[[Item], str]  # what a page counts: an assessment, a user


@dataclass(frozen=True, slots=True)
class Merged:
    """Items handed out on this page, in order; `last` is set when more follow."""

    items: list[Item]
    last: Item | None


def read_page(
    client: DynamoDBClient,
    shard_requests: Sequence[dict[str, Any]],
    listing: Listing,
    after: Position | None,
    limit: int,
) -> Merged:
    """The next page of `limit` units after `after`, reading every shard in parallel."""

    def gather(request: dict[str, Any]) -> list[Item]:
        return _gather(client, request, listing, after, limit + 1)

    workers = max(1, min(len(shard_requests), MAX_PARALLEL_QUERIES))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        per_shard = list(pool.map(gather, shard_requests))
    merged = sorted((item for items in per_shard for item in items), key=listing.position)
    units: set[str] = set()
    handed_out: list[Item] = []
    for item in merged:
        unit = listing.unit(item)
        if unit not in units:
            if len(units) == limit:
                return Merged(handed_out, handed_out[-1])
            units.add(unit)
        # Further items of a unit already on the page go with it (a user's other open tasks).
        handed_out.append(item)
    return Merged(handed_out, None)


def _gather(
    client: DynamoDBClient,
    request: dict[str, Any],
    listing: Listing,
    after: Position | None,
    enough: int,
) -> list[Item]:
    """One shard's items after `after`, read until `enough` units sort before any unread one.

    A shard is read in index order, so its unread items sort at or after its last read item;
    once `enough` distinct units were read strictly before that item, no unread item of this
    shard can make it onto the page.
    """
    kwargs = {**request, "Limit": enough}
    kept: list[Item] = []
    while True:
        with storage_errors():
            response = client.query(**kwargs)
        for item in response.get("Items", []):
            if after is None or listing.position(item) > after:
                kept.append(item)
        last = response.get("LastEvaluatedKey")
        if not last:
            return kept
        kwargs["ExclusiveStartKey"] = last
        if kept and _units_before_last(kept, listing) >= enough:
            return kept


def _units_before_last(items: list[Item], listing: Listing) -> int:
    boundary = get_s(items[-1], listing.index_sort)
    return len({listing.unit(i) for i in items if get_s(i, listing.index_sort) < boundary})
