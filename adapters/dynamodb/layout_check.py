"""Refusing to start on the other layout's tables (docs/decisions/138-refusing-the-wrong-layout.md).

A service configured for one layout that finds the other's tables would half-work: reads find
nothing, registrations succeed into an empty table. `check_tables` says so in one line naming
both layouts' tables before any request is served.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from adapters.dynamodb.calls import storage_errors
from adapters.dynamodb.layout import LAYOUTS, Layout, layout_for

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class LayoutMismatch(RuntimeError):
    """The configured layout's tables are not (all) there; the message is one line."""


def other_layout(layout: Layout) -> Layout:
    """The stage's other layout (multi for single and the reverse)."""
    (name,) = (name for name in LAYOUTS if name != layout.name)
    return layout_for(name, layout.stage, layout.shards)


def missing_tables(client: DynamoDBClient, layout: Layout) -> list[str]:
    """The layout's tables that do not exist (DescribeTable each, in parallel)."""

    def missing(name: str) -> bool:
        try:
            with storage_errors():
                client.describe_table(TableName=name)
        except client.exceptions.ResourceNotFoundException:
            return True
        return False

    names = layout.table_names()
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        absent = list(pool.map(missing, names))
    return [name for name, gone in zip(names, absent, strict=True) if gone]


def mismatch(
    client: DynamoDBClient, layout: Layout, *, creates_missing: bool = False
) -> str | None:
    """The one-line complaint when the layout's tables are not all there, else None.

    `creates_missing` (the local profile, which creates its tables): missing tables are fine
    unless the other layout has tables in the stage, which the service would silently ignore.
    """
    missing = missing_tables(client, layout)
    if not missing:
        return None
    other = other_layout(layout)
    other_missing = missing_tables(client, other)
    found = sorted(set(other.table_names()) - set(other_missing))
    if creates_missing and not found:
        return None
    configured = f"FLOWLOGIC_TABLE_LAYOUT={layout.name} needs {_names(layout)}"
    lacking = f"missing {', '.join(missing)}"
    if not other_missing:
        return (
            f"{configured} but stage {layout.stage!r} has the {other.name} layout's tables "
            f"({_names(other)}), {lacking}: set FLOWLOGIC_TABLE_LAYOUT={other.name}, or move the "
            f"data with `flowlogic layout copy --to {layout.name}`"
        )
    besides = f"; of the {other.name} layout's tables it has {', '.join(found)}" if found else ""
    return f"{configured}, {lacking}{besides}: create them with `flowlogic tables create`"


def check_tables(client: DynamoDBClient, layout: Layout, *, creates_missing: bool = False) -> None:
    """Raise LayoutMismatch when `mismatch` complains."""
    found = mismatch(client, layout, creates_missing=creates_missing)
    if found is not None:
        raise LayoutMismatch(found)


def _names(layout: Layout) -> str:
    names = layout.table_names()
    if len(names) <= 2:
        return " and ".join(names)
    return f"{len(names)} tables {names[0]} … {names[-1]}"
