"""Domain events onto an EventBridge bus, in PutEvents calls of at most 10 entries.

PutEvents has no deduplication: an entry sent twice is delivered twice. Each event's stable
`event_id` travels in its detail so that consumers can drop repeats
(docs/decisions/102-event-ids-and-redelivery.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ports.events import DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

log = logging.getLogger(__name__)

MAX_ENTRIES = 10
# PutEvents refuses a request whose entries add up to more than 256 KiB.
MAX_REQUEST_BYTES = 256 * 1024


class EventBridgePublisher:
    """Publishes to one bus with source `source` and detail-type = the event's name."""

    def __init__(self, client: EventBridgeClient, bus_name: str, source: str = "flowlogic") -> None:
        self._client = client
        self._bus_name = bus_name
        self._source = source

    def publish(self, events: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
        """Send the events; returns those EventBridge did not accept (whole chunk on an error)."""
        failed: list[DomainEvent] = []
        sendable: list[tuple[DomainEvent, PutEventsRequestEntryTypeDef]] = []
        for event in events:
            entry = self._entry(event)
            if entry_size(entry) > MAX_REQUEST_BYTES:
                log.error("event too large for EventBridge", extra={"event": event.name})
                failed.append(event)
            else:
                sendable.append((event, entry))
        for chunk in _chunks(sendable):
            failed.extend(self._put(chunk))
        return failed

    def _put(
        self, chunk: list[tuple[DomainEvent, PutEventsRequestEntryTypeDef]]
    ) -> list[DomainEvent]:
        try:
            response = self._client.put_events(Entries=[entry for _, entry in chunk])
        except (ClientError, BotoCoreError) as error:
            # botocore has already retried throttling; the whole chunk is unpublished.
            log.warning(
                "PutEvents failed", extra={"count": len(chunk), "error": type(error).__name__}
            )
            return [event for event, _ in chunk]
        if not response.get("FailedEntryCount"):
            return []
        results = response.get("Entries", [])
        refused = [
            event
            for index, (event, _) in enumerate(chunk)
            # Results are positional; a missing result is not a confirmed success.
            if index >= len(results) or "ErrorCode" in results[index]
        ]
        codes = sorted({result["ErrorCode"] for result in results if "ErrorCode" in result})
        log.warning("PutEvents refused entries", extra={"count": len(refused), "codes": codes})
        return refused

    def _entry(self, event: DomainEvent) -> PutEventsRequestEntryTypeDef:
        return {
            "EventBusName": self._bus_name,
            "Source": self._source,
            "DetailType": event.name,
            "Detail": json.dumps({"event_id": event.event_id, **event.detail}, sort_keys=True),
        }


def entry_size(entry: PutEventsRequestEntryTypeDef) -> int:
    """An entry's size as EventBridge counts it (UTF-8 bytes of its parts, 14 for a time)."""
    size = 14 if "Time" in entry else 0
    for part in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(part, "")).encode())
    size += sum(len(resource.encode()) for resource in entry.get("Resources", ()))
    return size


def _chunks(
    entries: list[tuple[DomainEvent, PutEventsRequestEntryTypeDef]],
) -> Iterator[list[tuple[DomainEvent, PutEventsRequestEntryTypeDef]]]:
    """Consecutive runs of at most MAX_ENTRIES entries and MAX_REQUEST_BYTES, in order."""
    chunk: list[tuple[DomainEvent, PutEventsRequestEntryTypeDef]] = []
    size = 0
    for event, entry in entries:
        entry_bytes = entry_size(entry)
        if chunk and (len(chunk) == MAX_ENTRIES or size + entry_bytes > MAX_REQUEST_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append((event, entry))
        size += entry_bytes
    if chunk:
        yield chunk
