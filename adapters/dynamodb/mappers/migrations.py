"""migrations table: one item per applied data migration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.dynamodb.attributes import Item, b, get_s, get_time, s, t
from ports.migrations import AppliedMigration


def migration_to_item(record: AppliedMigration) -> Item:
    item: Item = {
        "version": s(record.version),
        "applied_at": t(record.applied_at),
        "description": s(record.description),
        "author": s(record.author),
    }
    if record.in_progress:
        item["in_progress"] = b(True)
    return item


def migration_from_item(item: Mapping[str, Any]) -> AppliedMigration:
    return AppliedMigration(
        version=get_s(item, "version"),
        applied_at=get_time(item, "applied_at"),
        description=get_s(item, "description"),
        author=get_s(item, "author"),
        in_progress="in_progress" in item,
    )
