"""Stream records become target writes (`flowlogic layout follow`): a put of the converted new
image, a delete of the converted key, one write per key (the last record wins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.batches import delete_request, put_request
from adapters.dynamodb.layout import Layout, layout_for
from adapters.dynamodb.layout_copy import convert
from adapters.dynamodb.layout_follow import writes_of
from adapters.dynamodb.mappers.users import RESERVED_BY, reservation_item, user_to_item
from tests.support.factories import a_user

MULTI = layout_for("multi", "follow", 16)
SINGLE = layout_for("single", "follow", 16)
DIRECTIONS = [(MULTI, SINGLE), (SINGLE, MULTI)]
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EMAIL = "ada+x@example.com"


def record(
    layout: Layout, kind: str, entity: str, old: Item | None, new: Item | None, sequence: int
) -> dict[str, Any]:
    """A stream record of `layout`'s table of `entity`, as the follower hands it over."""
    image = new if new is not None else old
    assert image is not None
    body: dict[str, Any] = {
        "SequenceNumber": str(sequence),
        "Keys": layout.key_of(entity, image),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        body["OldImage"] = old
    if new is not None:
        body["NewImage"] = new
    return {
        "eventName": kind,
        "eventSourceARN": f"arn:aws:dynamodb:eu-west-1:1:table/{layout.table(entity)}/stream/x",
        "dynamodb": body,
    }


def user(layout: Layout, name: str = "Ada") -> Item:
    documented = user_to_item(a_user("ada", EMAIL))
    return layout.stored(keys.USERS, {**documented, "name": {"S": name}})


def converted(source: Layout, target: Layout, entity: str, item: Item) -> tuple[str, Item]:
    found = convert(source, target, source.table(entity), item)
    assert found is not None
    return found.table, found.item


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_an_insert_puts_the_converted_item(source: Layout, target: Layout) -> None:
    new = user(source)

    writes = writes_of(source, target, [record(source, "INSERT", keys.USERS, None, new, 1)])

    table, item = converted(source, target, keys.USERS, new)
    assert writes.requests == [(table, put_request(item))]
    assert writes.skipped == 0


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_the_last_record_of_a_key_wins(source: Layout, target: Layout) -> None:
    first, second, third = user(source, "Ada"), user(source, "Bea"), user(source, "Cyd")
    records = [
        record(source, "INSERT", keys.USERS, None, first, 1),
        record(source, "MODIFY", keys.USERS, first, second, 2),
        record(source, "MODIFY", keys.USERS, second, third, 3),
    ]

    writes = writes_of(source, target, records)

    table, item = converted(source, target, keys.USERS, third)
    assert writes.requests == [(table, put_request(item))]
    assert item["name"] == {"S": "Cyd"}


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_a_remove_deletes_the_converted_key(source: Layout, target: Layout) -> None:
    old = user(source)

    writes = writes_of(source, target, [record(source, "REMOVE", keys.USERS, old, None, 7)])

    assert writes.requests == [(target.table(keys.USERS), delete_request(target.user_key("ada")))]


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_removed_then_inserted_again_puts_and_inserted_then_removed_deletes(
    source: Layout, target: Layout
) -> None:
    item = user(source)
    insert = record(source, "INSERT", keys.USERS, None, item, 1)
    remove = record(source, "REMOVE", keys.USERS, item, None, 2)
    again = record(source, "INSERT", keys.USERS, None, item, 3)

    assert [r for _, r in writes_of(source, target, [insert, remove]).requests] == [
        delete_request(target.user_key("ada"))
    ]
    assert [r for _, r in writes_of(source, target, [remove, again]).requests] == [
        put_request(converted(source, target, keys.USERS, item)[1])
    ]


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_an_email_reservation_keeps_its_email(source: Layout, target: Layout) -> None:
    entity = keys.EMAIL_RESERVATION
    reserved = source.stored(entity, reservation_item("ada", NOW), source.email_key(EMAIL))

    put = writes_of(source, target, [record(source, "INSERT", entity, None, reserved, 1)])
    freed = writes_of(source, target, [record(source, "REMOVE", entity, reserved, None, 2)])

    (table, request), (_, deletion) = put.requests[0], freed.requests[0]
    assert table == target.table(entity)
    stored = request["PutRequest"]["Item"]
    assert target.key_of(entity, stored) == target.email_key(EMAIL)
    assert stored[RESERVED_BY] == {"S": "ada"}
    assert deletion == delete_request(target.email_key(EMAIL))


@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_records_of_different_keys_each_get_a_write(source: Layout, target: Layout) -> None:
    ada = user(source)
    bob = source.stored(keys.USERS, user_to_item(a_user("bob", "bob@example.com")))

    writes = writes_of(
        source,
        target,
        [
            record(source, "INSERT", keys.USERS, None, ada, 1),
            record(source, "REMOVE", keys.USERS, bob, None, 2),
        ],
    )

    assert [request for _, request in writes.requests] == [
        put_request(converted(source, target, keys.USERS, ada)[1]),
        delete_request(target.user_key("bob")),
    ]


def test_a_record_of_no_known_entity_is_skipped() -> None:
    stranger: Item = {"PK": {"S": "OTHER#1"}, "SK": {"S": "X"}, "entity": {"S": "elsewhere"}}
    found = record(SINGLE, "INSERT", keys.USERS, None, stranger, 1)
    found["dynamodb"]["Keys"] = {"PK": stranger["PK"], "SK": stranger["SK"]}

    writes = writes_of(SINGLE, MULTI, [found])

    assert writes.requests == []
    assert writes.skipped == 1
