"""Concurrency tests run every race on every storage backend of tests/support/backends.py.

The `stores` fixture is parametrized over BACKENDS, so a backend added there is raced too
without an edit here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.racing import frequent_switches
from tests.support.backends import BACKENDS
from tests.support.stores import Stores

MEMORY_RUNS = 30
"""In memory a race is cheap: 30 of them fail a one-in-ten bug with 96% certainty."""
DATABASE_RUNS = 15
"""The embedded server serves one request at a time (decision 065) and a cancelled transaction
costs it tens of milliseconds, so fewer races there (79% for a one-in-ten bug per run). Its
interleavings are at whole requests, which makes most windows far wider than in memory; the
conditions themselves are pinned deterministically by the contract suites (decision 142)."""


@pytest.fixture(params=sorted(BACKENDS), ids=str)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stores(backend_name: str) -> Iterator[Stores]:
    """Fresh, empty stores of one backend, torn down after the test.

    In memory every step is Python bytecode, so threads switch every 10 µs to interleave;
    a database backend interleaves at its requests already, and the frequent switches would
    only slow its in-process server down.
    """
    with BACKENDS[backend_name]() as fresh:
        if backend_name == "memory":
            with frequent_switches():
                yield fresh
        else:
            yield fresh


@pytest.fixture
def runs(backend_name: str) -> range:
    """How many times each test repeats its race on this backend."""
    return range(MEMORY_RUNS if backend_name == "memory" else DATABASE_RUNS)
