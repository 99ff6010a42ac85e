"""Merging sharded index queries into pages, against a fake index that behaves like a GSI:
ordered by its sort key only (ties in any order), `Limit`, and pages cut short as by 1 MB."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.dynamodb.attributes import Item, get_s, s
from adapters.dynamodb.fanout import Listing, Position, read_page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SHARDS = 3


def position(item: Item) -> Position:
    return (get_s(item, "created_at"), get_s(item, "user_id"), get_s(item, "id"))


BY_ITEM = Listing("created_at", position, lambda item: get_s(item, "id"))
BY_USER = Listing("created_at", position, lambda item: get_s(item, "user_id"))


class FakeIndex:
    """One partition per shard, each sorted by created_at with ties in a random order."""

    def __init__(self, items: list[Item], seed: int) -> None:
        shuffler = random.Random(seed)
        self.pages = random.Random(seed + 1)
        self.partitions: dict[int, list[Item]] = {}
        for shard in range(SHARDS):
            mine = [i for i in items if int(get_s(i, "shard")) == shard]
            shuffler.shuffle(mine)
            self.partitions[shard] = sorted(mine, key=lambda i: get_s(i, "created_at"))
        self.queries = 0

    def query(self, **request: Any) -> dict[str, Any]:
        self.queries += 1
        partition = [
            item
            for item in self.partitions[request["Shard"]]
            if get_s(item, "created_at") >= request.get("Since", "")
        ]
        start = (
            int(request["ExclusiveStartKey"]["at"]["N"]) + 1
            if "ExclusiveStartKey" in request
            else 0
        )
        # A page stops at Limit, or earlier when "1 MB" was read.
        size = min(request["Limit"], self.pages.randint(1, request["Limit"] + 2))
        page = partition[start : start + size]
        response: dict[str, Any] = {"Items": page}
        last = start + len(page) - 1
        if page and (last < len(partition) - 1 or len(page) == request["Limit"]):
            response["LastEvaluatedKey"] = {"at": {"N": str(last)}}
        return response

    def as_client(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self)


@st.composite
def index_items(draw: st.DrawFn) -> list[Item]:
    """Items of a few users, on few distinct times, so that ties are common."""
    count = draw(st.integers(min_value=0, max_value=30))
    items = []
    for number in range(count):
        user = draw(st.sampled_from(["ann", "bob", "cyd", "dan", "eve"]))
        minute = draw(st.integers(min_value=0, max_value=4))
        items.append(
            {
                "id": s(f"i{number:02d}"),
                "user_id": s(user),
                "created_at": s(f"2026-11-25T09:0{minute}:00.000Z"),
                "shard": s(str(sum(map(ord, user)) % SHARDS)),
            }
        )
    return items


def requests_after(after: Position | None) -> list[dict[str, Any]]:
    since = {} if after is None else {"Since": after[0]}
    return [{"Shard": shard, **since} for shard in range(SHARDS)]


@settings(max_examples=150, deadline=None)
@given(index_items(), st.integers(min_value=1, max_value=7), st.integers(0, 10_000))
def test_pages_hand_out_every_item_once_in_order_whatever_the_ties_and_short_pages(
    items: list[Item], limit: int, seed: int
) -> None:
    index = FakeIndex(items, seed)
    after: Position | None = None
    handed_out: list[Item] = []
    while True:
        page = read_page(index.as_client(), requests_after(after), BY_ITEM, after, limit)
        handed_out.extend(page.items)
        if page.last is None:
            assert len(page.items) <= limit
            break
        assert len(page.items) == limit
        after = position(page.last)
    assert [position(i) for i in handed_out] == sorted(position(i) for i in items)


@settings(max_examples=150, deadline=None)
@given(index_items(), st.integers(min_value=1, max_value=4), st.integers(0, 10_000))
def test_pages_of_users_hold_at_most_limit_distinct_users_and_miss_none(
    items: list[Item], limit: int, seed: int
) -> None:
    index = FakeIndex(items, seed)
    after: Position | None = None
    seen_items: list[Item] = []
    while True:
        page = read_page(index.as_client(), requests_after(after), BY_USER, after, limit)
        assert len({get_s(i, "user_id") for i in page.items}) <= limit
        seen_items.extend(page.items)
        if page.last is None:
            break
        after = position(page.last)
    assert sorted(position(i) for i in seen_items) == sorted(position(i) for i in items)


def test_an_empty_index_is_one_empty_last_page_after_one_query_per_shard() -> None:
    index = FakeIndex([], seed=1)
    page = read_page(index.as_client(), requests_after(None), BY_ITEM, None, 5)
    assert (page.items, page.last, index.queries) == ([], None, SHARDS)
