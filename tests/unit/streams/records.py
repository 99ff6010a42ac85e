"""Realistic DynamoDB stream records, shaped as Lambda delivers them.

Images are built with the DynamoDB adapter's own mappers, so they hold exactly what the
adapters write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.tables import table_by_logical

STAGE = "test"
TABLE_PREFIX = f"flowlogic-{STAGE}-"
SHARDS = 16
APPROXIMATE_AT = 1_795_597_200  # 2026-11-25T09:00:00Z, epoch seconds as Lambda sends it


def stream_arn(table: str, prefix: str = TABLE_PREFIX) -> str:
    """The stream ARN Lambda puts in `eventSourceARN`."""
    return (
        f"arn:aws:dynamodb:eu-west-1:123456789012:table/{prefix}{table}"
        "/stream/2026-11-25T09:00:00.000"
    )


def keys_of(table: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """The key attributes of an item of `table`, as the record's `Keys`."""
    definition = table_by_logical(table)
    names = [definition.partition[0]] + ([definition.sort[0]] if definition.sort else [])
    return {name: item[name] for name in names}


def a_record(
    table: str,
    kind: str,
    *,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    sequence_number: str = "100000000000000000001",
    prefix: str = TABLE_PREFIX,
) -> dict[str, Any]:
    """One NEW_AND_OLD_IMAGES record of `table`: INSERT (new), MODIFY (both) or REMOVE (old)."""
    image = new if new is not None else old
    assert image is not None, "a record has at least one image"
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": APPROXIMATE_AT,
        "Keys": keys_of(table, image),
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
        "eventSourceARN": stream_arn(table, prefix),
    }


def inserted(table: str, item: Mapping[str, Any], sequence_number: str = "101") -> dict[str, Any]:
    return a_record(table, "INSERT", new=item, sequence_number=sequence_number)


def modified(
    table: str, old: Mapping[str, Any], new: Mapping[str, Any], sequence_number: str = "102"
) -> dict[str, Any]:
    return a_record(table, "MODIFY", old=old, new=new, sequence_number=sequence_number)


def removed(table: str, item: Mapping[str, Any], sequence_number: str = "103") -> dict[str, Any]:
    return a_record(table, "REMOVE", old=item, sequence_number=sequence_number)
