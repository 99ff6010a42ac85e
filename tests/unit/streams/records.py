"""Realistic DynamoDB stream records, shaped as Lambda delivers them, for either layout.

Images are built with the DynamoDB adapter's own mappers and stored through the layout, so they
hold exactly what the adapters write. `current` is the layout records are made for (the stream
tests run once per layout).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import CorruptItem, Item
from adapters.dynamodb.layout import Layout, layout_for

STAGE = "test"
SHARDS = 16
APPROXIMATE_AT = 1_795_597_200  # 2026-11-25T09:00:00Z, epoch seconds as Lambda sends it


class _Current:
    layout: Layout = layout_for("multi", STAGE, SHARDS)


current = _Current()


def use_layout(name: str) -> Layout:
    """Make records for layout `name` of the test stage from now on."""
    current.layout = layout_for(name, STAGE, SHARDS)
    return current.layout


def stream_arn(table: str) -> str:
    """The stream ARN Lambda puts in `eventSourceARN` for a physical table."""
    return f"arn:aws:dynamodb:eu-west-1:123456789012:table/{table}/stream/2026-11-25T09:00:00.000"


def a_record(
    entity: str,
    kind: str,
    *,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    sequence_number: str = "100000000000000000001",
    layout: Layout | None = None,
    key: Item | None = None,
) -> dict[str, Any]:
    """One NEW_AND_OLD_IMAGES record of an item of `entity` (documented attributes; `key` when
    the layout cannot derive it): INSERT (new), MODIFY (both) or REMOVE (old)."""
    layout = layout or current.layout
    new = None if new is None else _stored(layout, entity, new, key)
    old = None if old is None else _stored(layout, entity, old, key)
    image = new if new is not None else old
    assert image is not None, "a record has at least one image"
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": APPROXIMATE_AT,
        "Keys": layout.key_of(entity, image),
        "SequenceNumber": sequence_number,
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        body["NewImage"] = dict(new)
    if old is not None:
        body["OldImage"] = dict(old)
    return {
        "eventID": f"evt-{sequence_number}",
        "eventName": kind,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": body,
        "eventSourceARN": stream_arn(layout.table(entity)),
    }


def _stored(layout: Layout, entity: str, item: Mapping[str, Any], key: Item | None) -> Item:
    """The item as the layout stores it; a broken one (no index keys derivable) as it is, keyed."""
    try:
        return layout.stored(entity, item, key)
    except CorruptItem:
        return {**item, **(key or layout.key_from(entity, item)), **layout.marker(entity)}


def inserted(
    entity: str, item: Mapping[str, Any], sequence_number: str = "101", key: Item | None = None
) -> dict[str, Any]:
    return a_record(entity, "INSERT", new=item, sequence_number=sequence_number, key=key)


def modified(
    entity: str, old: Mapping[str, Any], new: Mapping[str, Any], sequence_number: str = "102"
) -> dict[str, Any]:
    return a_record(entity, "MODIFY", old=old, new=new, sequence_number=sequence_number)


def removed(entity: str, item: Mapping[str, Any], sequence_number: str = "103") -> dict[str, Any]:
    return a_record(entity, "REMOVE", old=item, sequence_number=sequence_number)
