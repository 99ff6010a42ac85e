"""Checking that two layouts of a stage hold the same data (after `flowlogic layout copy`): the
same number of items of each entity, and every user's export, read through each layout's own
repositories, the same."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.dynamodb.account import DynamoDBAccountStore
from adapters.dynamodb.layout import Layout
from adapters.dynamodb.layout_copy import DEFAULT_SEGMENTS, count_entities

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EXPORT_WORKERS = 8
MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class Verification:
    """What was compared and the differences found (none when the layouts agree)."""

    counts: Mapping[str, tuple[int, int]]
    users: int
    differences: Sequence[str]

    @property
    def identical(self) -> bool:
        return not self.differences


def verify(
    client: DynamoDBClient,
    source: Layout,
    target: Layout,
    *,
    segments: int = DEFAULT_SEGMENTS,
    on_user: Callable[[], object] | None = None,
) -> Verification:
    """Compare counts per entity, then every user's export (users of either side)."""
    source_counts, source_users = count_entities(client, source, segments)
    target_counts, target_users = count_entities(client, target, segments)
    counts = {
        entity: (source_counts[entity], target_counts[entity])
        for entity in sorted(set(source_counts) | set(target_counts))
    }
    differences = [
        f"{entity}: {found[0]} item(s) in {source.name}, {found[1]} in {target.name}"
        for entity, found in counts.items()
        if found[0] != found[1]
    ]
    users = sorted(set(source_users) | set(target_users))
    stores = (DynamoDBAccountStore(client, source), DynamoDBAccountStore(client, target))

    def compare(user_id: str) -> str | None:
        exports = [_normalised(store.export(user_id)) for store in stores]
        if on_user is not None:
            on_user()
        if exports[0] == exports[1]:
            return None
        entities = sorted(e for e in exports[0].keys() | exports[1].keys() if _differs(exports, e))
        # A user id is personal data's key: name the entities, count the users, never the id.
        return ", ".join(entities)

    with ThreadPoolExecutor(max_workers=EXPORT_WORKERS) as pool:
        mismatches = [found for found in pool.map(compare, users) if found is not None]
    if mismatches:
        differences.append(
            f"{len(mismatches)} of {len(users)} user export(s) differ"
            f" (in: {'; '.join(sorted(set(mismatches))[:MAX_REPORTED])})"
        )
    return Verification(counts, len(users), differences)


def _normalised(export: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[str]]:
    """The export with each entity's items as sorted JSON texts (order is each layout's)."""
    return {
        entity: sorted(json.dumps(item, sort_keys=True, default=str) for item in items)
        for entity, items in export.items()
    }


def _differs(exports: Sequence[dict[str, list[str]]], entity: str) -> bool:
    return exports[0].get(entity) != exports[1].get(entity)
