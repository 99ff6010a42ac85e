"""Fakes for use-case tests: in-memory stores and gateways, a fixed clock, sequential ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.events import InMemoryEventPublisher
from adapters.memory.ids import SequentialIds
from adapters.memory.payments import FakePaymentGateway
from adapters.memory.video_storage import FakeVideoStorage
from tests.support.backends import memory_stores
from tests.support.stores import Stores

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    """Stands at 2026-11-25T09:00:00Z until a test moves it."""
    return FixedClock(NOW)


@pytest.fixture
def stores() -> Stores:
    """Every repository over one fresh in-memory database."""
    return memory_stores()


@pytest.fixture
def ids() -> SequentialIds:
    """00000000-0000-4000-8000-000000000001, then ...0002, and so on."""
    return SequentialIds()


@pytest.fixture
def payments() -> FakePaymentGateway:
    """Records checkouts and cancellations; accepts webhooks signed "valid"."""
    return FakePaymentGateway()


@pytest.fixture
def videos() -> FakeVideoStorage:
    """Upload targets under s3://flowlogic-test-videos/videos/..."""
    return FakeVideoStorage()


@pytest.fixture
def events() -> InMemoryEventPublisher:
    """Keeps published events in `.published`; `fail_on(*ids)` makes publishing them fail."""
    return InMemoryEventPublisher()
