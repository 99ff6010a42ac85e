"""Every stream test runs once per table layout: the same records give the same events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.dynamodb.layout import LAYOUTS, Layout
from tests.unit.streams import records


@pytest.fixture(params=LAYOUTS, autouse=True)
def layout(request: pytest.FixtureRequest) -> Iterator[Layout]:
    """The layout records are made for and read with."""
    previous = records.current.layout
    yield records.use_layout(request.param)
    records.current.layout = previous
