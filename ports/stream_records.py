"""Changes of stored items, as the store's change stream reports them (SPEC.md 10).

The store's adapter reads its own record format (DynamoDB JSON, table or `entity` dispatch)
into a `Change`; the application turns changes into domain events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

Image = Mapping[str, Any]


class UntranslatableRecord(ValueError):
    """A stream record this consumer cannot read (its message never holds attribute values)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One stream record, read: the entity (documented table name), what happened, the item's
    key (for event ids) and the item before and after, attributes by their documented names."""

    entity: str
    kind: str
    sequence_number: str
    keys: Image
    old: Image
    new: Image
    approximate_at: datetime | None


@runtime_checkable
class StreamRecords(Protocol):
    """Reads the raw records of the store's change stream."""

    def sequence_number_of(self, record: Mapping[str, Any]) -> str:
        """The record's position in its shard; UntranslatableRecord when it has none."""
        ...

    def change_of(self, record: Mapping[str, Any]) -> Change:
        """The record as a change; UntranslatableRecord when it is not one of ours."""
        ...
