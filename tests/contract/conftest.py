"""Every contract test runs once per storage backend in tests/support/backends.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.backends import BACKENDS
from tests.support.stores import Stores


@pytest.fixture(params=sorted(BACKENDS), ids=str)
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    """Fresh, empty stores of one backend, torn down after the test."""
    backend = BACKENDS[request.param]
    with backend() as fresh:
        yield fresh
