"""The stream Lambda's answer: the partial batch response Lambda expects."""

from __future__ import annotations

from adapters.dynamodb import keys
from adapters.dynamodb.mappers.users import user_to_item
from adapters.dynamodb.streams import DynamoDBStreamRecords, translate
from adapters.memory.events import InMemoryEventPublisher
from application.publish_stream_events import PublishStreamEvents
from infra.lambda_stream import process
from tests.support.factories import a_user
from tests.unit.streams.records import current, inserted


def test_a_refused_record_is_reported_by_its_sequence_number() -> None:
    records = [
        inserted(keys.USERS, user_to_item(a_user(f"user-{n}")), sequence_number=f"{n}")
        for n in (7, 8)
    ]
    publisher = InMemoryEventPublisher()
    publisher.fail_on(translate(records[1], current.layout)[0].event_id)

    answer = process(
        {"Records": records},
        PublishStreamEvents(publisher, DynamoDBStreamRecords(current.layout)),
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": "8"}]}


def test_a_batch_that_went_out_answers_an_empty_failure_list() -> None:
    records = [inserted(keys.USERS, user_to_item(a_user("user-1")))]
    publisher = InMemoryEventPublisher()

    answer = process(
        {"Records": records},
        PublishStreamEvents(publisher, DynamoDBStreamRecords(current.layout)),
    )

    assert answer == {"batchItemFailures": []}
    assert publisher.names() == ["UserRegistered"]
