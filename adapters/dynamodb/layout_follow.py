"""Replaying one layout's DynamoDB streams into the other layout (`flowlogic layout follow`).

The change data capture half of a live cut-over (docs/decisions/139-following-a-layout.md):
after `layout copy`, every record of the source tables' streams is applied to the target, shard
by shard from TRIM_HORIZON, parent shards before their children. INSERT and MODIFY put the new
image converted as the copy converts it; REMOVE deletes the converted key. Within a page, the
last record of a key wins (BatchWriteItem refuses a key twice); pages are applied in stream
order, so every key ends as its last record left it, whatever the copy saw. A checkpoint file
records, per shard, the last sequence number applied, after each page written (never before).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.dynamodb.batches import Request, batch_write, delete_request, put_request
from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.layout_copy import convert, save_json
from adapters.dynamodb.streams import DynamoDBStreamRecords, table_of
from ports.stream_records import UntranslatableRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

PAGE_SIZE = 1000  # GetRecords' maximum
POLL_INTERVAL = 1.0  # seconds between polls of a stream whose open shards had nothing new
EMPTY_PAGES_CAUGHT_UP = 3  # empty pages in a row after which an open shard is caught up
RELIST_INTERVAL = 60.0  # seconds between DescribeStream calls looking for new shards
OnPage = Callable[[str, int], object]  # (shard label, records applied)


class FollowError(RuntimeError):
    """The follower cannot go on (a stream missing, records trimmed before they were applied)."""


@dataclass(frozen=True, slots=True)
class Writes:
    """The target writes of a page of records: one request per target key, and the number of
    records of no entity the source knows (left alone, as the copy leaves such items)."""

    requests: list[Request]
    skipped: int


def writes_of(source: Layout, target: Layout, records: Iterable[Mapping[str, Any]]) -> Writes:
    """The target writes of stream records (each with its `eventSourceARN`), in stream order:
    INSERT/MODIFY put the converted new image, REMOVE deletes the converted key; of several
    records of one key, the last wins."""
    decoder = DynamoDBStreamRecords(source)
    by_key: dict[str, Request] = {}
    skipped = 0
    for record in records:
        try:
            change = decoder.change_of(record)
        except UntranslatableRecord:
            skipped += 1
            continue
        table = table_of(str(record["eventSourceARN"]))
        removed = change.kind == "REMOVE"
        converted = convert(source, target, table, change.old if removed else change.new)
        if converted is None:
            skipped += 1
            continue
        key = target.key_of(converted.entity, converted.item)
        name = json.dumps([converted.table, key], sort_keys=True)
        # Deleted and re-inserted in one page: popped first, so the put lands in the right slot.
        by_key.pop(name, None)
        by_key[name] = (
            converted.table,
            delete_request(key) if removed else put_request(converted.item),
        )
    return Writes(list(by_key.values()), skipped)


@dataclass
class ShardProgress:
    """What was applied of one shard: the last sequence number, and whether the (closed)
    shard was read to its end."""

    sequence: str | None = None
    done: bool = False
    applied: int = 0


@dataclass
class FollowCheckpoint:
    """Per-shard progress of one follower, saved to `path` (JSON) after every page applied.

    It belongs to one stage, source and target; one of another follower is refused.
    """

    path: Path
    stage: str
    source: str
    target: str
    shards: dict[str, ShardProgress] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, path: Path, stage: str, source: str, target: str) -> FollowCheckpoint:
        """The saved checkpoint at `path`, or a new one when there is none."""
        if not path.exists():
            return cls(path, stage, source, target)
        saved = json.loads(path.read_text())
        found = (saved.get("stage"), saved.get("source"), saved.get("target"))
        if found != (stage, source, target) or "shards" not in saved:
            raise ValueError(
                f"{path} is not the checkpoint of this follower (stage {found[0]!r}, "
                f"{found[1]} -> {found[2]}); remove it or pass another --checkpoint"
            )
        shards = {name: ShardProgress(**value) for name, value in saved["shards"].items()}
        return cls(path, stage, source, target, shards)

    def shard(self, stream_arn: str, shard_id: str) -> ShardProgress:
        with self._lock:
            return self.shards.setdefault(f"{stream_arn}|{shard_id}", ShardProgress())

    def is_done(self, stream_arn: str, shard_id: str) -> bool:
        with self._lock:
            found = self.shards.get(f"{stream_arn}|{shard_id}")
            return found is not None and found.done

    def advance(
        self, shard: ShardProgress, sequence: str | None, applied: int, *, done: bool = False
    ) -> None:
        """Record a page applied (its last sequence number) or a closed shard finished."""
        with self._lock:
            if sequence is not None:
                shard.sequence = sequence
            shard.applied += applied
            shard.done = shard.done or done
            self._write()

    def applied(self) -> int:
        with self._lock:
            return sum(shard.applied for shard in self.shards.values())

    def save(self) -> None:
        """Write the checkpoint as it stands (a follower that applied nothing leaves one too)."""
        with self._lock:
            self._write()

    def _write(self) -> None:
        body = {
            "stage": self.stage,
            "source": self.source,
            "target": self.target,
            "shards": {
                name: {"sequence": s.sequence, "done": s.done, "applied": s.applied}
                for name, s in self.shards.items()
            },
        }
        save_json(self.path, body)


@dataclass(frozen=True, slots=True)
class FollowResult:
    applied: int  # records applied by this run
    skipped: int
    stopped: bool  # ended by the stop event rather than caught up


def stream_of(client: DynamoDBClient, table: str) -> str:
    """The ARN of the table's stream; FollowError unless it is on with both images."""
    with storage_errors():
        described = client.describe_table(TableName=table)["Table"]
    specification = described.get("StreamSpecification", {})
    arn = described.get("LatestStreamArn")
    if not specification.get("StreamEnabled") or arn is None:
        raise FollowError(f"{table} has no stream: there is nothing to follow")
    if specification.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
        raise FollowError(f"{table}'s stream does not carry NEW_AND_OLD_IMAGES")
    return arn


class StreamFollower:
    """Applies the records of `source`'s streams to `target`, one thread per stream."""

    def __init__(
        self,
        client: DynamoDBClient,
        streams: DynamoDBStreamsClient,
        source: Layout,
        target: Layout,
        checkpoint: FollowCheckpoint,
        *,
        stop: threading.Event | None = None,
        page_size: int = PAGE_SIZE,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        if source.stage != target.stage or source.name == target.name:
            raise ValueError("a follower goes from one layout of a stage to the other")
        self._client = client
        self._streams = streams
        self._source = source
        self._target = target
        self._checkpoint = checkpoint
        self._stop = stop or threading.Event()
        self._on_page: OnPage = lambda _label, _count: None
        self._page_size = page_size
        self._poll_interval = poll_interval
        self._lock = threading.Lock()
        self._applied = 0
        self._skipped = 0

    def streamed_tables(self) -> list[str]:
        """The source tables with a stream (the migrations ledger of the multi layout has none)."""
        return [self._source.physical(t) for t in self._source.tables() if t.stream]

    def run(self, *, until_caught_up: bool, on_page: OnPage | None = None) -> FollowResult:
        """Follow every stream until each open shard has nothing new (`until_caught_up`) or
        the stop event is set; the first failure stops the other streams and is raised.
        `on_page` sees each page applied (shard label, record count)."""
        self._on_page = on_page or (lambda _label, _count: None)
        arns = [stream_of(self._client, table) for table in self.streamed_tables()]
        with ThreadPoolExecutor(max_workers=len(arns)) as pool:
            futures = [pool.submit(self._follow, arn, until_caught_up) for arn in arns]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in finished if f.exception() is not None]
            if failed:
                self._stop.set()
                failed[0].result()
        return FollowResult(self._applied, self._skipped, self._stop.is_set())

    def _follow(self, arn: str, until_caught_up: bool) -> None:
        iterators: dict[str, str] = {}
        shards: list[Mapping[str, Any]] = []
        listed = float("-inf")
        while not self._stop.is_set():
            if time.monotonic() - listed >= RELIST_INTERVAL or not shards:
                shards, listed = self._shards(arn), time.monotonic()
            known = {shard["ShardId"] for shard in shards}
            ready = [
                shard
                for shard in shards
                if not self._checkpoint.is_done(arn, shard["ShardId"])
                and (
                    shard.get("ParentShardId") not in known
                    or self._checkpoint.is_done(arn, shard["ParentShardId"])
                )
            ]
            read = finished = False
            for shard in ready:
                found, ended = self._drain(arn, shard, iterators, until_caught_up)
                read, finished = read or found, finished or ended
                if self._stop.is_set():
                    return
            if finished:
                listed = float("-inf")  # a closed shard is done: its children are next
                continue
            if until_caught_up:
                return  # every open shard answered with nothing new
            if not read:
                self._stop.wait(self._poll_interval)

    def _shards(self, arn: str) -> list[Mapping[str, Any]]:
        shards: list[Mapping[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": arn}
        while True:
            with storage_errors():
                described = self._streams.describe_stream(**request)["StreamDescription"]
            shards.extend(described.get("Shards", []))
            last = described.get("LastEvaluatedShardId")
            if not last:
                return shards
            request["ExclusiveStartShardId"] = last

    def _drain(
        self,
        arn: str,
        shard: Mapping[str, Any],
        iterators: dict[str, str],
        until_caught_up: bool,
    ) -> tuple[bool, bool]:
        """Apply the shard's records until an open shard has nothing new or a closed one ends;
        (whether records were read, whether the shard is done)."""
        # GetRecords may answer an empty page from a stretch of the shard with no records
        # before later ones: catching up takes several empty pages in a row (a follower that
        # keeps going polls again anyway, and spares the shard's 5 reads per second).
        empty_needed = EMPTY_PAGES_CAUGHT_UP if until_caught_up else 1
        empty = 0
        shard_id: str = shard["ShardId"]
        progress = self._checkpoint.shard(arn, shard_id)
        closed = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})
        label = f"{table_of(arn)}#{shard_id[-8:]}"
        read = False
        while not self._stop.is_set():
            iterator = iterators.get(shard_id) or self._iterator(arn, shard_id, progress)
            try:
                with storage_errors():
                    page = self._streams.get_records(ShardIterator=iterator, Limit=self._page_size)
            except self._streams.exceptions.ExpiredIteratorException:
                iterators.pop(shard_id, None)  # 15 minutes old: ask again after the checkpoint
                continue
            records = [{**record, "eventSourceARN": arn} for record in page.get("Records", [])]
            following = page.get("NextShardIterator")
            if following:
                iterators[shard_id] = following
            else:
                iterators.pop(shard_id, None)
            if records:
                read = True
                self._apply(progress, label, records)
            if not following:
                self._checkpoint.advance(progress, None, 0, done=True)
                return read, True
            empty = 0 if records else empty + 1
            if empty >= empty_needed and not closed:
                return read, False
        return read, False

    def _iterator(self, arn: str, shard_id: str, progress: ShardProgress) -> str:
        request: dict[str, Any] = {"StreamArn": arn, "ShardId": shard_id}
        if progress.sequence is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            request["SequenceNumber"] = progress.sequence
        try:
            with storage_errors():
                return self._streams.get_shard_iterator(**request)["ShardIterator"]
        except self._streams.exceptions.TrimmedDataAccessException:
            raise FollowError(
                f"records of a shard of {table_of(arn)} were trimmed before they were applied "
                "(a stream keeps 24 hours): copy again with --prune, then follow with a new "
                "checkpoint"
            ) from None

    def _apply(
        self, progress: ShardProgress, label: str, records: Sequence[Mapping[str, Any]]
    ) -> None:
        writes = writes_of(self._source, self._target, records)
        by_table: dict[str, list[Request]] = {}
        for write in writes.requests:
            by_table.setdefault(write[0], []).append(write)
        # One table per batch: moto refuses one key in two tables of a batch as a duplicate
        # (an erasure deletes `user_id = X` from several tables of the multi layout).
        for table_writes in by_table.values():
            batch_write(self._client, table_writes)
        last = str(records[-1]["dynamodb"]["SequenceNumber"])
        # Reported before it is recorded: a crash in between only means applying it again.
        self._on_page(label, len(records))
        self._checkpoint.advance(progress, last, len(records))
        with self._lock:
            self._applied += len(records)
            self._skipped += writes.skipped
