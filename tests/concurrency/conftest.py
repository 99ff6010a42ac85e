"""Concurrency tests run every race on every storage backend of tests/support/backends.py.

The `stores` fixture is parametrized over BACKENDS, so a backend added there is raced too
without an edit here. Thread switches are frequent (10 µs) so that interleavings happen.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.racing import frequent_switches
from tests.support.backends import BACKENDS
from tests.support.stores import Stores


@pytest.fixture(params=sorted(BACKENDS), ids=str)
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    """Fresh, empty stores of one backend, torn down after the test."""
    backend = BACKENDS[request.param]
    with backend() as fresh:
        yield fresh


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    with frequent_switches():
        yield
