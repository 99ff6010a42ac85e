"""Domain events leave the core through this port (EventBridge in AWS)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """`event_id` is stable for one fact, so consumers can drop redeliveries."""

    event_id: str
    name: str
    detail: Mapping[str, Any]


@runtime_checkable
class EventPublisher(Protocol):
    """Publishes domain events."""

    def publish(self, events: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
        """Publish the events; returns those that could not be published."""
        ...
