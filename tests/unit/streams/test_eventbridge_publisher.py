"""The EventBridge publisher: chunks of at most 10, per-entry failures, whole-chunk errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from adapters.eventbridge.publisher import MAX_REQUEST_BYTES, EventBridgePublisher
from ports.events import DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient


class RecordingClient:
    """Answers PutEvents like EventBridge; refuses chosen event ids or whole calls on demand."""

    def __init__(self, refuse: set[str] | None = None, broken_calls: set[int] | None = None):
        self.calls: list[list[dict[str, Any]]] = []
        self._refuse = refuse or set()
        self._broken_calls = broken_calls or set()

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls.append(Entries)
        if len(self.calls) - 1 in self._broken_calls:
            raise ClientError({"Error": {"Code": "InternalException"}}, "PutEvents")
        results: list[dict[str, Any]] = []
        for entry in Entries:
            if json.loads(entry["Detail"])["event_id"] in self._refuse:
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                results.append({"EventId": "eb-" + entry["DetailType"]})
        failed = sum("ErrorCode" in r for r in results)
        return {"FailedEntryCount": failed, "Entries": results}


def publisher_over(client: RecordingClient) -> EventBridgePublisher:
    return EventBridgePublisher(cast("EventBridgeClient", client), "flowlogic-test")


def some_events(count: int, size: int = 10) -> list[DomainEvent]:
    return [
        DomainEvent(f"id-{n}", "UserRegistered", {"user": "u_0123456789", "pad": "x" * size})
        for n in range(count)
    ]


def test_events_go_out_in_order_in_chunks_of_at_most_ten() -> None:
    client = RecordingClient()
    events = some_events(23)

    assert publisher_over(client).publish(events) == []

    assert [len(call) for call in client.calls] == [10, 10, 3]
    sent = [json.loads(entry["Detail"])["event_id"] for call in client.calls for entry in call]
    assert sent == [event.event_id for event in events]


def test_an_entry_carries_bus_source_name_and_the_event_id_in_its_detail() -> None:
    client = RecordingClient()
    event = DomainEvent("id-1", "TierChanged", {"user": "u_0123456789", "tier": "pro"})

    publisher_over(client).publish([event])

    (entry,) = client.calls[0]
    assert entry["EventBusName"] == "flowlogic-test"
    assert entry["Source"] == "flowlogic"
    assert entry["DetailType"] == "TierChanged"
    assert json.loads(entry["Detail"]) == {
        "event_id": "id-1",
        "user": "u_0123456789",
        "tier": "pro",
    }


def test_entries_refused_by_eventbridge_come_back_and_only_they() -> None:
    events = some_events(12)
    client = RecordingClient(refuse={"id-3", "id-11"})

    failed = publisher_over(client).publish(events)

    assert [e.event_id for e in failed] == ["id-3", "id-11"]


def test_a_call_that_fails_returns_its_whole_chunk_and_the_next_chunk_still_goes_out() -> None:
    events = some_events(15)
    client = RecordingClient(broken_calls={0})

    failed = publisher_over(client).publish(events)

    assert [e.event_id for e in failed] == [f"id-{n}" for n in range(10)]
    assert len(client.calls) == 2


def test_chunks_also_stay_under_the_request_size_limit() -> None:
    events = some_events(4, size=100 * 1024)
    client = RecordingClient()

    assert publisher_over(client).publish(events) == []

    assert [len(call) for call in client.calls] == [2, 2]


def test_an_event_too_large_for_any_request_is_refused_without_a_call() -> None:
    events = some_events(1, size=MAX_REQUEST_BYTES)
    client = RecordingClient()

    assert publisher_over(client).publish(events) == events
    assert client.calls == []


def test_nothing_to_publish_makes_no_call() -> None:
    client = RecordingClient()

    assert publisher_over(client).publish([]) == []
    assert client.calls == []
