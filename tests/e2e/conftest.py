"""End-to-end tests run once per profile in PROFILES, over HTTP against the running app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.service import PROFILES, Service, running


@pytest.fixture(params=PROFILES, ids=str)
def service(request: pytest.FixtureRequest) -> Iterator[Service]:
    """A fresh service of one profile."""
    with running(request.param) as started:
        yield started
