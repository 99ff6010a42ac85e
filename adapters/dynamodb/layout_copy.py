"""Copying every item of a stage from one layout to the other (`flowlogic layout copy`).

An operator tool, not a request path: each source table is read with parallel Scan segments
(consistent reads), each item converted through the two layouts (the source's key and index
attributes dropped, the target's added, `entity` and the documented attributes kept), and
written with BatchWriteItem (unprocessed items resent). Puts overwrite, so running it again
changes nothing; a checkpoint file records, per table and segment, the last page fully written,
so a run that crashed at any point resumes where it stopped
(docs/decisions/137-copying-a-stage-between-layouts.md).
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.batches import batch_write, put_request
from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.layout import Layout

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DEFAULT_SEGMENTS = 4
PAGE_SIZE = 100
OnCopied = Callable[[int], object]


@dataclass(frozen=True, slots=True)
class Converted:
    """An item of the source as the target stores it."""

    entity: str
    table: str
    item: Item


def convert(
    source: Layout, target: Layout, table: str, item: Mapping[str, Any]
) -> Converted | None:
    """The item of source table `table` in the target layout; None when it is not one of ours
    (an item with no entity the source layout recognises is left behind and counted)."""
    entity = source.entity_of(table, item)
    if entity is None:
        return None
    attributes = source.documented(entity, item)
    if entity == keys.EMAIL_RESERVATION:
        # A reservation's email is only in its key: read it back through the source's key shape.
        names = source.key_names(entity)
        partition = names[0]
        prefix = source.email_key("")[partition]["S"]
        email = str(item[partition]["S"]).removeprefix(prefix)
        kept = {name: value for name, value in attributes.items() if name not in names}
        key = target.email_key(email)
        return Converted(entity, target.table(entity), target.stored(entity, kept, key))
    return Converted(entity, target.table(entity), target.stored(entity, attributes))


@dataclass
class Segment:
    """Progress of one Scan segment of one source table."""

    last_key: dict[str, Any] | None = None
    done: bool = False
    copied: int = 0


@dataclass
class Checkpoint:
    """Per-segment progress of one copy, saved to `path` (JSON) after every page written.

    A checkpoint belongs to one stage, source, target and segment count; one for another copy
    is refused rather than mixed in.
    """

    path: Path
    stage: str
    source: str
    target: str
    segments: int
    progress: dict[str, Segment] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, path: Path, stage: str, source: str, target: str, segments: int) -> Checkpoint:
        """The saved checkpoint at `path`, or a new one when there is none."""
        if not path.exists():
            return cls(path, stage, source, target, segments)
        saved = json.loads(path.read_text())
        found = (saved["stage"], saved["source"], saved["target"])
        if found != (stage, source, target):
            raise ValueError(
                f"{path} is the checkpoint of another copy (stage {found[0]!r}, "
                f"{found[1]} -> {found[2]}); remove it or pass another --checkpoint"
            )
        progress = {name: Segment(**value) for name, value in saved["progress"].items()}
        return cls(path, stage, source, target, int(saved["segments"]), progress)

    def segment(self, table: str, number: int) -> Segment:
        with self._lock:
            return self.progress.setdefault(f"{table}/{number}", Segment())

    def advance(self, segment: Segment, last_key: dict[str, Any] | None, copied: int) -> None:
        """Record a page fully written: the segment resumes after `last_key` (done if None)."""
        with self._lock:
            segment.last_key = last_key
            segment.done = last_key is None
            segment.copied += copied
            self._save()

    def copied(self) -> int:
        with self._lock:
            return sum(segment.copied for segment in self.progress.values())

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _save(self) -> None:
        body = {
            "stage": self.stage,
            "source": self.source,
            "target": self.target,
            "segments": self.segments,
            "progress": {
                name: {"last_key": s.last_key, "done": s.done, "copied": s.copied}
                for name, s in self.progress.items()
            },
        }
        save_json(self.path, body)


def save_json(path: Path, body: Mapping[str, Any]) -> None:
    """Write a progress file as JSON, aside then renamed: a crash mid-write leaves the previous
    one whole (the checkpoints of `layout copy` and `layout follow`)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(body, sort_keys=True))
    os.replace(temporary, path)


@dataclass(frozen=True, slots=True)
class CopyResult:
    copied: int
    skipped: int


class LayoutCopy:
    """Copies the items of `source`'s tables into `target`'s, resumably."""

    def __init__(
        self,
        client: DynamoDBClient,
        source: Layout,
        target: Layout,
        checkpoint: Checkpoint,
        *,
        on_copied: OnCopied | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if source.stage != target.stage or source.name == target.name:
            raise ValueError("a copy goes from one layout of a stage to the other")
        self._client = client
        self._source = source
        self._target = target
        self._checkpoint = checkpoint
        self._on_copied = on_copied or (lambda _: None)
        self._page_size = page_size
        self._on_page: OnCopied = lambda _: None
        self._skipped = 0
        self._lock = threading.Lock()

    @property
    def source(self) -> Layout:
        return self._source

    @property
    def target(self) -> Layout:
        return self._target

    def run(self, on_page: OnCopied | None = None) -> CopyResult:
        """Copy what the checkpoint does not record as written (`on_page` sees each page's
        item count); the checkpoint is kept for the caller to remove."""
        self._on_page = on_page or (lambda _: None)
        work = [
            (table, number)
            for table in self._source.table_names()
            for number in range(self._checkpoint.segments)
        ]
        with ThreadPoolExecutor(max_workers=len(work)) as pool:
            # list() re-raises the first failure (a crash leaves the checkpoint as it was).
            list(pool.map(lambda pair: self._copy_segment(*pair), work))
        return CopyResult(self._checkpoint.copied(), self._skipped)

    def _copy_segment(self, table: str, number: int) -> None:
        segment = self._checkpoint.segment(table, number)
        while not segment.done:
            request: dict[str, Any] = {
                "TableName": table,
                "Segment": number,
                "TotalSegments": self._checkpoint.segments,
                "ConsistentRead": True,
                "Limit": self._page_size,
            }
            if segment.last_key is not None:
                request["ExclusiveStartKey"] = segment.last_key
            with storage_errors():
                page = self._client.scan(**request)
            writes = []
            for item in page.get("Items", []):
                converted = convert(self._source, self._target, table, item)
                if converted is None:
                    with self._lock:
                        self._skipped += 1
                    continue
                writes.append((converted.table, put_request(converted.item)))
            batch_write(self._client, writes)
            # Reported before it is recorded: a crash in between only means writing it again.
            self._on_copied(len(writes))
            self._on_page(len(writes))
            self._checkpoint.advance(segment, page.get("LastEvaluatedKey"), len(writes))


def _segment_items(
    client: DynamoDBClient, table: str, number: int, segments: int
) -> Iterator[Item]:
    """The items of one Scan segment of a table, page by page (consistent reads)."""
    request: dict[str, Any] = {
        "TableName": table,
        "Segment": number,
        "TotalSegments": segments,
        "ConsistentRead": True,
    }
    while True:
        with storage_errors():
            page = client.scan(**request)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if last is None:
            return
        request["ExclusiveStartKey"] = last


def scan_items(
    client: DynamoDBClient, layout: Layout, segments: int = DEFAULT_SEGMENTS
) -> list[tuple[str, Item]]:
    """Every item of the layout's tables with its table, in memory (small stages, tests)."""
    work = [(table, number) for table in layout.table_names() for number in range(segments)]

    def read(table: str, number: int) -> list[tuple[str, Item]]:
        return [(table, item) for item in _segment_items(client, table, number, segments)]

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return [found for pages in pool.map(lambda pair: read(*pair), work) for found in pages]


def count_entities(
    client: DynamoDBClient, layout: Layout, segments: int = DEFAULT_SEGMENTS
) -> tuple[Counter[str], list[str]]:
    """The number of items of each entity in the layout's tables (items of no entity under
    `?`), and the ids of the users found; items are counted as they stream by."""
    work = [(table, number) for table in layout.table_names() for number in range(segments)]

    def count(table: str, number: int) -> tuple[Counter[str], list[str]]:
        counts: Counter[str] = Counter()
        users: list[str] = []
        for item in _segment_items(client, table, number, segments):
            entity = layout.entity_of(table, item)
            counts[entity or "?"] += 1
            if entity == keys.USERS:
                users.append(str(item["user_id"]["S"]))
        return counts, users

    total: Counter[str] = Counter()
    everyone: list[str] = []
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        for counts, users in pool.map(lambda pair: count(*pair), work):
            total.update(counts)
            everyone.extend(users)
    return total, sorted(everyone)
