"""Deleting what a layout holds that the other does not (`flowlogic layout copy --prune`).

A copy only puts: an item deleted from the source since an earlier copy (an erasure) stays in
the target. Pruning scans the target in segments, converts each item's key back into the source
layout, reads the source items in batches (consistent reads), and deletes the target items whose
source is gone. Running it again deletes nothing more. It must not race writes on the source
(an item created there between the read and the delete would lose its copy): run it with writes
stopped or before a follower starts (docs/decisions/139-following-a-layout.md).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from adapters.dynamodb.attributes import Item
from adapters.dynamodb.batches import Request, batch_get, batch_write, delete_request
from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.layout_copy import DEFAULT_SEGMENTS, PAGE_SIZE, convert

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

OnPruned = Callable[[int], object]


def prune(
    client: DynamoDBClient,
    source: Layout,
    target: Layout,
    *,
    dry_run: bool = False,
    segments: int = DEFAULT_SEGMENTS,
    page_size: int = PAGE_SIZE,
    on_pruned: OnPruned | None = None,
) -> Counter[str]:
    """Delete (or with `dry_run` only count) the target items whose source item does not
    exist; the number per entity. Items of no entity the target knows are left alone."""
    work = [(table, number) for table in target.table_names() for number in range(segments)]
    total: Counter[str] = Counter()
    lock = threading.Lock()
    reported = on_pruned or (lambda _: None)

    def prune_segment(table: str, number: int) -> None:
        request: dict[str, Any] = {
            "TableName": table,
            "Segment": number,
            "TotalSegments": segments,
            "ConsistentRead": True,
            "Limit": page_size,
        }
        while True:
            with storage_errors():
                page = client.scan(**request)
            orphans = _orphans(client, source, target, table, page.get("Items", []))
            if not dry_run:
                batch_write(client, [write for _, write in orphans])
            with lock:
                total.update(entity for entity, _ in orphans)
            reported(len(orphans))
            last = page.get("LastEvaluatedKey")
            if last is None:
                return
            request["ExclusiveStartKey"] = last

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        list(pool.map(lambda pair: prune_segment(*pair), work))
    return total


def _orphans(
    client: DynamoDBClient, source: Layout, target: Layout, table: str, items: Sequence[Item]
) -> list[tuple[str, Request]]:
    """(entity, delete request) of the target items of one page whose source item is gone."""
    candidates: list[tuple[str, Item, str, Item]] = []  # entity, target key, source table/key
    for item in items:
        entity = target.entity_of(table, item)
        back = convert(target, source, table, item)
        if entity is None or back is None:
            continue  # not ours: the copy leaves such items behind, so does pruning
        target_key = target.key_of(entity, item)
        candidates.append((entity, target_key, back.table, source.key_of(back.entity, back.item)))
    wanted: dict[str, list[Item]] = {}
    for _, _, source_table, source_key in candidates:
        wanted.setdefault(source_table, []).append(source_key)
    found = batch_get(client, wanted)
    present = {
        _name(name, source.key_of(entity, item))
        for name, got in found.items()
        for item in got
        if (entity := source.entity_of(name, item)) is not None
    }
    return [
        (entity, (table, delete_request(target_key)))
        for entity, target_key, source_table, source_key in candidates
        if _name(source_table, source_key) not in present
    ]


def _name(table: str, key: Item) -> str:
    return json.dumps([table, key], sort_keys=True)
