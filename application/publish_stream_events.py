"""Stream consumer: one shard's batch of DynamoDB stream records → domain events (SPEC.md 10)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from application.stream_events import events_of
from ports.events import DomainEvent, EventPublisher
from ports.stream_records import StreamRecords, UntranslatableRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamBatch:
    """The records of one invocation (one shard, in order)."""

    records: Sequence[Mapping[str, Any]]


class PublishStreamEvents:
    """Publishes the events of a batch; returns the sequence number to report as failed, if any.

    Rules enforced (docs/decisions/103-partial-batch-failures.md):
    - Records are read in shard order. The first one that cannot be translated stops the
      batch: nothing from it on is published in this invocation.
    - The events of the records before it are published together (the publisher sends them in
      PutEvents calls of at most 10).
    - The answer is the sequence number of the earliest record that was not translated or had
      an event refused, or nothing when every event went out. Lambda retries from the lowest
      reported sequence number, so reporting later records too would change nothing.
    - A record without a sequence number cannot be reported: UntranslatableRecord propagates
      and the whole invocation fails (the event source mapping bisects and retries).
    """

    def __init__(self, publisher: EventPublisher, records: StreamRecords) -> None:
        self._publisher = publisher
        self._records = records

    def execute(self, batch: StreamBatch) -> tuple[str, ...]:
        translated: list[tuple[str, tuple[DomainEvent, ...]]] = []
        stopped_at: str | None = None
        for record in batch.records:
            sequence_number = self._records.sequence_number_of(record)
            try:
                events = events_of(self._records.change_of(record))
            except UntranslatableRecord as error:
                log.warning(
                    "stream record not translated",
                    extra={"sequence_number": sequence_number, "reason": str(error)},
                )
                stopped_at = sequence_number
                break
            translated.append((sequence_number, events))

        outgoing = [event for _, record_events in translated for event in record_events]
        refused = {e.event_id for e in self._publisher.publish(outgoing)} if outgoing else set()
        for sequence_number, record_events in translated:
            if any(event.event_id in refused for event in record_events):
                return (sequence_number,)
        return () if stopped_at is None else (stopped_at,)
