"""The stream consumer's use case: what it publishes and which record it reports as failed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.dynamodb import keys
from adapters.dynamodb.mappers.users import user_to_item
from adapters.dynamodb.streams import DynamoDBStreamRecords, translate
from adapters.memory.events import InMemoryEventPublisher
from application.publish_stream_events import PublishStreamEvents, StreamBatch
from application.stream_events import UntranslatableRecord
from domain.tiers import Tier
from domain.user import change_tier
from tests.support.factories import T0, a_user
from tests.unit.streams.records import a_record, current, inserted, modified


def registrations(count: int) -> list[dict[str, Any]]:
    """`count` UserRegistered records of distinct users, sequence numbers 1..count in order."""
    return [
        inserted(keys.USERS, user_to_item(a_user(f"user-{n}")), sequence_number=f"{n:05d}")
        for n in range(1, count + 1)
    ]


def event_id_of(record: Mapping[str, Any]) -> str:
    return translate(record, current.layout)[0].event_id


def run(publisher: InMemoryEventPublisher, records: list[dict[str, Any]]) -> tuple[str, ...]:
    return PublishStreamEvents(publisher, DynamoDBStreamRecords(current.layout)).execute(
        StreamBatch(records)
    )


def test_a_batch_whose_events_all_go_out_reports_nothing() -> None:
    publisher = InMemoryEventPublisher()
    records = registrations(3)

    assert run(publisher, records) == ()
    assert [e.event_id for e in publisher.published] == [event_id_of(r) for r in records]


def test_a_refused_event_reports_only_its_record() -> None:
    publisher = InMemoryEventPublisher()
    records = registrations(3)
    publisher.fail_on(event_id_of(records[1]))

    assert run(publisher, records) == ("00002",)


def test_of_several_refused_events_the_earliest_record_is_reported() -> None:
    publisher = InMemoryEventPublisher()
    records = registrations(5)
    publisher.fail_on(event_id_of(records[3]), event_id_of(records[1]))

    assert run(publisher, records) == ("00002",)


def test_an_untranslatable_record_is_reported_and_nothing_after_it_is_published() -> None:
    publisher = InMemoryEventPublisher()
    good = registrations(3)
    broken = a_record(keys.USERS, "INSERT", new={"user_id": {"S": "x"}}, sequence_number="00002")
    records = [good[0], broken, good[2]]

    assert run(publisher, records) == ("00002",)
    assert [e.event_id for e in publisher.published] == [event_id_of(good[0])]


def test_a_refusal_before_an_untranslatable_record_is_what_is_reported() -> None:
    publisher = InMemoryEventPublisher()
    good = registrations(2)
    broken = a_record(keys.USERS, "INSERT", new={"user_id": {"S": "x"}}, sequence_number="00003")
    publisher.fail_on(event_id_of(good[1]))

    assert run(publisher, [*good, broken]) == ("00002",)


def test_records_without_events_are_done_without_publishing() -> None:
    user = a_user("user-1")
    login = modified(keys.USERS, user_to_item(user), user_to_item(user))
    publisher = InMemoryEventPublisher()

    assert run(publisher, [login]) == ()
    assert publisher.published == []


def test_a_record_without_a_sequence_number_fails_the_whole_invocation() -> None:
    record = inserted(keys.USERS, user_to_item(a_user("user-1")))
    del record["dynamodb"]["SequenceNumber"]

    with pytest.raises(UntranslatableRecord):
        run(InMemoryEventPublisher(), [record])


def test_one_record_may_carry_its_event_next_to_others_of_other_tables() -> None:
    user = a_user("user-1")
    upgraded = change_tier(user, Tier.PRO, T0)
    records = [
        *registrations(1),
        modified(keys.USERS, user_to_item(user), user_to_item(upgraded), sequence_number="00009"),
    ]
    publisher = InMemoryEventPublisher()

    assert run(publisher, records) == ()
    assert publisher.names() == ["UserRegistered", "TierChanged"]


@given(size=st.integers(1, 25), data=st.data())
def test_the_reported_record_is_always_the_earliest_refused_one(size: int, data: Any) -> None:
    records = registrations(size)
    refused = data.draw(st.sets(st.integers(0, size - 1)))
    publisher = InMemoryEventPublisher()
    publisher.fail_on(*(event_id_of(records[i]) for i in refused))

    reported = run(publisher, records)

    expected = () if not refused else (records[min(refused)]["dynamodb"]["SequenceNumber"],)
    assert reported == expected
    assert len(publisher.published) == size - len(refused)
