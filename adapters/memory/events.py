"""An event publisher that keeps what it publishes, and fails on demand."""

from __future__ import annotations

from collections.abc import Sequence

from ports.events import DomainEvent


class InMemoryEventPublisher:
    """Keeps published events in order; events whose id was passed to `fail_on` are refused."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []
        self._failing: set[str] = set()

    def fail_on(self, *event_ids: str) -> None:
        """Refuse these event ids from now on (until `recover`)."""
        self._failing.update(event_ids)

    def recover(self) -> None:
        """Accept every event again."""
        self._failing.clear()

    def publish(self, events: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
        """Keep the events; return those that were told to fail."""
        failed = [e for e in events if e.event_id in self._failing]
        self.published.extend(e for e in events if e.event_id not in self._failing)
        return failed

    def names(self) -> list[str]:
        """The names of the published events, in order."""
        return [e.name for e in self.published]
