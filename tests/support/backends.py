"""The storage backends the contract suites run against.

A backend is a `Backend`: a zero-argument callable returning a context manager that yields a
fresh, empty `Stores` and tears everything down on exit (tables, servers). The memory backend
needs no teardown and wraps its stores in `contextlib.nullcontext`. To add a backend, add an
entry to `BACKENDS`; every contract test then runs on it too, with the name as the test id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager

from adapters.memory.account import InMemoryAccountStore
from adapters.memory.assessments import InMemoryAssessmentRepository
from adapters.memory.calendar import InMemoryCalendarRepository
from adapters.memory.database import InMemoryDatabase
from adapters.memory.limits import InMemoryLimitsRepository
from adapters.memory.migrations import InMemoryMigrationLedger
from adapters.memory.plans import InMemoryPlanRepository
from adapters.memory.progress import InMemoryProgressRepository
from adapters.memory.snapshots import InMemorySnapshotReader
from adapters.memory.subscriptions import InMemorySubscriptionRepository
from adapters.memory.users import InMemoryUserRepository
from tests.support.dynamodb_backend import multi_backend, single_backend
from tests.support.stores import Stores

Backend = Callable[[], AbstractContextManager[Stores]]


def memory_stores(db: InMemoryDatabase | None = None) -> Stores:
    """Every repository over one in-memory database (a fresh one unless given)."""
    db = InMemoryDatabase() if db is None else db
    return Stores(
        users=InMemoryUserRepository(db),
        limits=InMemoryLimitsRepository(db),
        assessments=InMemoryAssessmentRepository(db),
        plans=InMemoryPlanRepository(db),
        calendar=InMemoryCalendarRepository(db),
        progress=InMemoryProgressRepository(db),
        subscriptions=InMemorySubscriptionRepository(db),
        migrations=InMemoryMigrationLedger(db),
        account=InMemoryAccountStore(db),
        snapshots=InMemorySnapshotReader(db),
    )


def memory_backend() -> AbstractContextManager[Stores]:
    """Fresh in-memory stores; nothing to tear down."""
    return contextlib.nullcontext(memory_stores())


BACKENDS: dict[str, Backend] = {
    "memory": memory_backend,
    "multi": multi_backend,
    "single": single_backend,
}
