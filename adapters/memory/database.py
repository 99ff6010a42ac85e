"""One in-process store behind every in-memory adapter: the tables, one lock, and transactions.

The tables are keyed like the DynamoDB tables, and a `Transaction` behaves like
`TransactWriteItems`: every condition is checked first, then every write lands, under one lock,
all or nothing; the first failing condition (in the order they were added) names the error
(docs/decisions/060-in-memory-transactions.md).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import threading
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from domain.assessment import Assessment
from domain.calendar import CalendarTask
from domain.errors import ConcurrentModification, DomainError, ValidationFailed
from domain.limits import UserLimits
from domain.plan import Plan
from domain.progress import Progress
from domain.subscription import Subscription
from domain.user import User
from ports.errors import InvalidCursor
from ports.migrations import AppliedMigration

K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E")
T = TypeVar("T")


class Revisioned(Protocol):
    """An entity carrying the optimistic-concurrency counter (decision 053)."""

    @property
    def revision(self) -> int: ...


R = TypeVar("R", bound=Revisioned)


@dataclass(eq=False)
class InMemoryDatabase:
    """Every table, keyed as in DynamoDB, guarded by one re-entrant lock.

    Values are immutable domain entities; limits and progress carry their stored revision.
    """

    users: dict[str, User] = field(default_factory=dict)
    # Decision 051: the reservation of a normalised email, owned by a user id.
    email_reservations: dict[str, str] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    assessments: dict[tuple[str, str], Assessment] = field(default_factory=dict)
    plans: dict[tuple[str, str], Plan] = field(default_factory=dict)
    # Sort key `YYYY-MM-DD#task_id`, as in the calendar-tasks table (decision 050).
    calendar_tasks: dict[tuple[str, str], CalendarTask] = field(default_factory=dict)
    # Sort key `YYYY-MM-DD`.
    progress: dict[tuple[str, str], Progress] = field(default_factory=dict)
    limits: dict[str, UserLimits] = field(default_factory=dict)
    migrations: dict[str, AppliedMigration] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def transaction(self) -> Transaction:
        """A new, empty all-or-nothing write."""
        return Transaction(self)


class Transaction:
    """Conditions and writes that land together or not at all (like `TransactWriteItems`)."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db
        self._conditions: list[tuple[Callable[[], bool], Callable[[], DomainError]]] = []
        self._writes: list[Callable[[], None]] = []
        self._items: set[tuple[int, object]] = set()

    def require(self, holds: Callable[[], bool], error: Callable[[], DomainError]) -> None:
        """Cancel the whole write with `error()` unless `holds()` is true at commit time."""
        self._conditions.append((holds, error))

    def put(self, table: MutableMapping[K, V], key: K, value: V) -> None:
        """Store `value` under `key`."""
        self._claim(table, key)

        def write() -> None:
            table[key] = value

        self._writes.append(write)

    def put_if_absent(self, table: MutableMapping[K, V], key: K, value: V) -> None:
        """Store `value` unless an item is stored under `key` already (then leave it alone)."""
        self._claim(table, key)

        def write() -> None:
            table.setdefault(key, value)

        self._writes.append(write)

    def update(self, table: MutableMapping[K, V], key: K, change: Callable[[V], V]) -> None:
        """Replace the stored item with `change(stored)`; nothing when no item is stored."""
        self._claim(table, key)

        def write() -> None:
            stored = table.get(key)
            if stored is not None:
                table[key] = change(stored)

        self._writes.append(write)

    def delete(
        self, table: MutableMapping[K, V], key: K, only_if: Callable[[V], bool] | None = None
    ) -> None:
        """Delete the item under `key` (when `only_if(stored)` holds); a missing item is fine."""
        self._claim(table, key)

        def write() -> None:
            stored = table.get(key)
            if stored is not None and (only_if is None or only_if(stored)):
                del table[key]

        self._writes.append(write)

    def commit(self) -> None:
        """Check every condition, then apply every write, under the database lock."""
        with self._db.lock:
            for holds, error in self._conditions:
                if not holds():
                    raise error()
            for write in self._writes:
                write()

    def _claim(self, table: MutableMapping[K, V], key: K) -> None:
        # DynamoDB refuses a transaction touching one item twice; so do we, to catch such
        # callers in fast tests rather than in production.
        item = (id(table), key)
        if item in self._items:
            raise ValueError(f"one transaction writes the item {key!r} twice")
        self._items.add(item)


# --- guards --------------------------------------------------------------------------------


def require_revision(tx: Transaction, table: Mapping[K, R], key: K, entity: R) -> None:
    """Guard a revisioned write: revision 0 must not exist yet, N must still be stored as N."""

    def holds() -> bool:
        stored = table.get(key)
        if entity.revision == 0:
            return stored is None
        return stored is not None and stored.revision == entity.revision

    tx.require(holds, lambda: ConcurrentModification(f"{key!r} moved since it was read"))


def next_revision(entity: R) -> R:
    """The entity as stored by a guarded write: its revision plus one."""
    return dataclasses.replace(entity, revision=entity.revision + 1)  # type: ignore[type-var]


def as_stored(entity: E) -> E:
    """The entity as DynamoDB would give it back: top-level times in UTC at millisecond precision.

    Items store ISO strings with milliseconds (domain.time.iso), so the fake drops the same
    digits, and code that only passes its tests in memory cannot rely on microseconds.
    """
    changes: dict[str, datetime] = {}
    for item_field in dataclasses.fields(entity):  # type: ignore[arg-type]
        value = getattr(entity, item_field.name)
        if isinstance(value, datetime):
            changes[item_field.name] = _millis(value)
    return dataclasses.replace(entity, **changes) if changes else entity  # type: ignore[type-var]


def _millis(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


# --- pagination ----------------------------------------------------------------------------


def require_limit(limit: int) -> None:
    """A page holds at least one item (DynamoDB's `Limit` is at least 1)."""
    if limit < 1:
        raise ValidationFailed(f"limit must be at least 1, got {limit}")


def encode_cursor(key: Mapping[str, str | int]) -> str:
    """The last key returned, as base64url JSON (the shape of a LastEvaluatedKey)."""
    text = json.dumps(dict(key), sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fields: Mapping[str, type]) -> dict[str, Any]:
    """The key inside a cursor, checked to hold exactly `fields` with their types."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor("the cursor was not issued by this listing") from error
    if not isinstance(key, dict) or set(key) != set(fields):
        raise InvalidCursor("the cursor was not issued by this listing")
    for name, kind in fields.items():
        value = key[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidCursor("the cursor was not issued by this listing")
    return key


def require_same(key: Mapping[str, Any], name: str, expected: str | int) -> None:
    """A cursor of another user, month or test does not continue this listing."""
    if key[name] != expected:
        raise InvalidCursor("the cursor belongs to another listing")


def page_of(
    ordered: Sequence[T],
    position: Callable[[T], tuple[str, ...]],
    after: tuple[str, ...] | None,
    limit: int,
    *,
    descending: bool = False,
) -> tuple[list[T], T | None]:
    """Up to `limit` items following `after` in `ordered`, and the last one when more follow.

    `ordered` is sorted by `position` (descending when so told); `after` is a cursor's position.
    """
    if after is not None:
        start = after
        if descending:
            ordered = [item for item in ordered if position(item) < start]
        else:
            ordered = [item for item in ordered if position(item) > start]
    page = list(ordered[:limit])
    more = len(ordered) > limit
    return page, (page[-1] if more else None)
