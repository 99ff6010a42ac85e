"""The follower's walk through a stream's shards (moto has one shard per stream, so the lineage
is exercised here on a scripted stream): parents before children, resuming after the
checkpoint, expired iterators asked again, trimmed records refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.layout import layout_for
from adapters.dynamodb.layout_follow import FollowCheckpoint, FollowError, StreamFollower
from adapters.dynamodb.mappers.users import user_to_item
from tests.support.factories import a_user

SINGLE = layout_for("single", "walk", 4)
MULTI = layout_for("multi", "walk", 4)
ARN = f"arn:aws:dynamodb:eu-west-1:1:table/{SINGLE.table(keys.USERS)}/stream/label"


class Expired(Exception):
    pass


class Trimmed(Exception):
    pass


def user(name: str) -> Item:
    return SINGLE.stored(keys.USERS, {**user_to_item(a_user("ada")), "name": {"S": name}})


def insert(sequence: int, name: str) -> dict[str, Any]:
    image = user(name)
    return {
        "eventName": "INSERT" if sequence == 1 else "MODIFY",
        "dynamodb": {
            "SequenceNumber": str(sequence),
            "Keys": SINGLE.key_of(keys.USERS, image),
            "NewImage": image,
        },
    }


class Streams:
    """A scripted DynamoDB Streams client: shards (listed in the order given) with records;
    a shard with an ending sequence number is closed."""

    class exceptions:  # noqa: N801 - boto3's shape
        ExpiredIteratorException = Expired
        TrimmedDataAccessException = Trimmed

    def __init__(self, shards: list[dict[str, Any]], records: dict[str, list[dict[str, Any]]]):
        self.shards = shards
        self.records = records
        self.iterator_requests: list[dict[str, Any]] = []
        self.expire_once = False
        self.trimmed = False

    def describe_stream(self, StreamArn: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        return {"StreamDescription": {"Shards": self.shards}}

    def get_shard_iterator(self, **request: Any) -> dict[str, Any]:
        self.iterator_requests.append(request)
        if self.trimmed:
            raise Trimmed
        records = self.records[request["ShardId"]]
        start = 0
        if request["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER":
            numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
            start = numbers.index(request["SequenceNumber"]) + 1
        return {"ShardIterator": f"{request['ShardId']}@{start}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803
        if self.expire_once:
            self.expire_once = False
            raise Expired
        shard_id, _, start = ShardIterator.partition("@")
        records = self.records[shard_id]
        end = int(start) + 1  # one record a page
        page: dict[str, Any] = {"Records": records[int(start) : end]}
        closed = any(
            s["ShardId"] == shard_id and "EndingSequenceNumber" in s["SequenceNumberRange"]
            for s in self.shards
        )
        if not (closed and end >= len(records)):
            page["NextShardIterator"] = f"{shard_id}@{min(end, len(records))}"
        return page


class DynamoDB:
    """Describes the single table with its stream; records every batch written."""

    def __init__(self) -> None:
        self.written: list[dict[str, Any]] = []

    def describe_table(self, TableName: str) -> dict[str, Any]:  # noqa: N803
        return {
            "Table": {
                "StreamSpecification": {
                    "StreamEnabled": True,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "LatestStreamArn": ARN,
            }
        }

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.written.append(RequestItems)
        return {"UnprocessedItems": {}}


def names_written(dynamodb: DynamoDB) -> list[str]:
    return [
        request["PutRequest"]["Item"]["name"]["S"]
        for batch in dynamodb.written
        for requests in batch.values()
        for request in requests
    ]


def lineage() -> Streams:
    """A child shard listed before its closed parent; the parent holds the older records."""
    return Streams(
        [
            {"ShardId": "child", "ParentShardId": "parent", "SequenceNumberRange": {}},
            {"ShardId": "parent", "SequenceNumberRange": {"EndingSequenceNumber": "2"}},
        ],
        {
            "parent": [insert(1, "Ada"), insert(2, "Bea")],
            "child": [insert(3, "Cyd"), insert(4, "Dee")],
        },
    )


def follower(streams: Streams, dynamodb: DynamoDB, path: Path) -> StreamFollower:
    checkpoint = FollowCheckpoint.open(path, "walk", "single", "multi")
    return StreamFollower(
        cast(Any, dynamodb), cast(Any, streams), SINGLE, MULTI, checkpoint, poll_interval=0
    )


def test_a_parent_shard_is_applied_before_its_child(tmp_path: Path) -> None:
    dynamodb = DynamoDB()

    result = follower(lineage(), dynamodb, tmp_path / "c.json").run(until_caught_up=True)

    assert names_written(dynamodb) == ["Ada", "Bea", "Cyd", "Dee"]
    assert result.applied == 4
    assert not result.stopped


def test_a_rerun_resumes_after_the_last_applied_record(tmp_path: Path) -> None:
    streams = lineage()
    follower(streams, DynamoDB(), tmp_path / "c.json").run(until_caught_up=True)
    streams.records["child"].append(insert(5, "Eve"))
    dynamodb = DynamoDB()

    result = follower(streams, dynamodb, tmp_path / "c.json").run(until_caught_up=True)

    assert names_written(dynamodb) == ["Eve"]
    assert result.applied == 1
    assert streams.iterator_requests[-1]["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER"
    assert streams.iterator_requests[-1]["SequenceNumber"] == "4"


def test_an_expired_iterator_is_asked_again(tmp_path: Path) -> None:
    streams = lineage()
    streams.expire_once = True
    dynamodb = DynamoDB()

    follower(streams, dynamodb, tmp_path / "c.json").run(until_caught_up=True)

    assert names_written(dynamodb) == ["Ada", "Bea", "Cyd", "Dee"]


def test_records_trimmed_before_they_were_applied_stop_the_follower(tmp_path: Path) -> None:
    streams = lineage()
    streams.trimmed = True

    with pytest.raises(FollowError, match="trimmed"):
        follower(streams, DynamoDB(), tmp_path / "c.json").run(until_caught_up=True)


def test_a_checkpoint_of_another_direction_is_refused(tmp_path: Path) -> None:
    follower(lineage(), DynamoDB(), tmp_path / "c.json").run(until_caught_up=True)

    with pytest.raises(ValueError, match="not the checkpoint of this follower"):
        FollowCheckpoint.open(tmp_path / "c.json", "walk", "multi", "single")
