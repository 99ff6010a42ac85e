"""End to end on moto, on both table layouts: a write, its stream record, the Lambda handler, the
event on the bus.

The records are read back with the DynamoDB Streams API and given the shape Lambda delivers
(`eventSourceARN` added, the creation time in epoch seconds); the bus forwards `flowlogic`
events to an SQS queue, where the test reads them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from adapters.dynamodb import keys
from adapters.dynamodb.attributes import Item
from adapters.dynamodb.layout import Layout, layout_for
from adapters.dynamodb.mappers.users import reservation_item, user_to_item
from adapters.dynamodb.streams import DynamoDBStreamRecords, translate
from adapters.dynamodb.tables import create_tables
from adapters.eventbridge.publisher import EventBridgePublisher
from application.publish_stream_events import PublishStreamEvents
from domain.assessment import AssessmentStatus
from domain.calendar import set_completed
from domain.tiers import Tier
from domain.user import change_tier, mask
from infra import lambda_stream
from tests.contract.storing import stored
from tests.support.dynamodb_backend import dynamodb_stores, embedded_server
from tests.support.factories import (
    T0,
    a_plan,
    a_subscription,
    a_task,
    a_user,
    an_assessment,
    limits_for,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef, PutEventsResponseTypeDef

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_url() -> str:
    """The test process's one moto server (tests/support/dynamodb_backend.py); it serves every
    service, not only DynamoDB."""
    return embedded_server().start()


@dataclass(frozen=True)
class Aws:
    url: str
    stage: str
    layout: Layout
    dynamodb: DynamoDBClient
    streams: DynamoDBStreamsClient
    events: EventBridgeClient
    sqs: Any  # no SQS stubs among the dev dependencies
    bus: str
    queue_url: str


@pytest.fixture
def aws(moto_url: str, layout_name: str) -> Aws:
    """A fresh stage: the layout's tables with their streams, a bus, and a queue behind it."""
    stage = "it" + uuid.uuid4().hex[:8]
    layout = layout_for(layout_name, stage, 16)
    options: dict[str, Any] = {"endpoint_url": moto_url, "region_name": REGION, **CREDENTIALS}
    dynamodb = boto3.client("dynamodb", **options)
    sqs = boto3.client("sqs", **options)
    events = boto3.client("events", **options)
    create_tables(dynamodb, layout)
    bus = f"flowlogic-{stage}"
    events.create_event_bus(Name=bus)
    queue_url = sqs.create_queue(QueueName=f"{bus}-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    events.put_rule(
        Name="all-flowlogic-events",
        EventBusName=bus,
        EventPattern=json.dumps({"source": ["flowlogic"]}),
    )
    events.put_targets(
        Rule="all-flowlogic-events",
        EventBusName=bus,
        Targets=[{"Id": "queue", "Arn": queue_arn["Attributes"]["QueueArn"]}],
    )
    return Aws(
        moto_url,
        stage,
        layout,
        dynamodb,
        boto3.client("dynamodbstreams", **options),
        events,
        sqs,
        bus,
        queue_url,
    )


@pytest.fixture
def lambda_environment(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stream function's environment (as the template sets it), pointed at moto."""
    for name, value in {
        "FLOWLOGIC_PROFILE": "aws",
        "FLOWLOGIC_STAGE": aws.stage,
        "FLOWLOGIC_TABLE_LAYOUT": aws.layout.name,
        "FLOWLOGIC_EVENT_BUS": aws.bus,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_EVENTBRIDGE": aws.url,
    }.items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    lambda_stream._consumer.cache_clear()
    yield
    lambda_stream._consumer.cache_clear()
    root.handlers[:] = handlers
    root.setLevel(level)


def put(
    aws: Aws, item: Mapping[str, Any], entity: str = keys.USERS, key: Item | None = None
) -> None:
    """Store an item of `entity` (documented attributes) as the layout stores it."""
    stored = aws.layout.stored(entity, item, key)
    aws.dynamodb.put_item(TableName=aws.layout.table(entity), Item=stored)


def lambda_event(aws: Aws, entity: str = keys.USERS) -> dict[str, Any]:
    """Every record of the stream of `entity`'s table so far, as Lambda would deliver them."""
    return {"Records": table_records(aws, aws.layout.table(entity))}


def every_record(aws: Aws) -> dict[str, Any]:
    """The records of every stream of the layout's tables so far, table after table."""
    streamed = [aws.layout.physical(t) for t in aws.layout.tables() if t.stream]
    return {"Records": [record for name in streamed for record in table_records(aws, name)]}


def table_records(aws: Aws, name: str) -> list[dict[str, Any]]:
    """Every record of one table's stream so far, as Lambda would deliver them."""
    table = aws.dynamodb.describe_table(TableName=name)
    stream_arn = table["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in aws.streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = aws.streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in aws.streams.get_records(ShardIterator=iterator)["Records"]:
            delivered: dict[str, Any] = {**record, "eventSourceARN": stream_arn}
            body = dict(record["dynamodb"])
            created = body.get("ApproximateCreationDateTime")
            if isinstance(created, datetime):
                body["ApproximateCreationDateTime"] = created.timestamp()
            delivered["dynamodb"] = body
            records.append(delivered)
    return records


def received(aws: Aws) -> list[dict[str, Any]]:
    """The events the bus forwarded to the queue (each one read once)."""
    bodies: list[dict[str, Any]] = []
    while True:
        answer = aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            aws.sqs.delete_message(QueueUrl=aws.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.usefixtures("lambda_environment")
def test_a_registration_reaches_the_bus_once_without_the_user_id_or_email(aws: Aws) -> None:
    user_id = str(uuid.uuid4())
    user = a_user(user_id, "grace.hopper@example.com")
    put(aws, user_to_item(user))
    reservation = aws.layout.email_key(user.email)
    put(aws, reservation_item(user_id, T0), keys.EMAIL_RESERVATION, reservation)
    event = lambda_event(aws)

    answer = lambda_stream.handler(event, None)

    assert answer == {"batchItemFailures": []}
    (message,) = received(aws)
    assert message["source"] == "flowlogic"
    assert message["detail-type"] == "UserRegistered"
    assert message["detail"]["user_id"] == user_id
    assert message["detail"]["user"] == mask(user_id)
    assert message["detail"]["tier"] == "free"
    assert "grace.hopper" not in json.dumps(message)


@pytest.mark.usefixtures("lambda_environment")
def test_a_redelivered_batch_repeats_the_event_ids_so_consumers_can_drop_it(aws: Aws) -> None:
    user = a_user(str(uuid.uuid4()))
    put(aws, user_to_item(user))
    put(aws, user_to_item(change_tier(user, Tier.PRO, T0)))
    event = lambda_event(aws)

    lambda_stream.handler(event, None)
    first = received(aws)
    lambda_stream.handler(event, None)
    again = received(aws)

    assert [m["detail-type"] for m in first] == ["UserRegistered", "TierChanged"]
    assert first[1]["detail"]["previous_tier"] == "free"
    assert first[1]["detail"]["tier"] == "pro"
    assert [m["detail"]["event_id"] for m in again] == [m["detail"]["event_id"] for m in first]


class RefusingOneEvent:
    """The real EventBridge client, but the entry of one event id is sent malformed."""

    def __init__(self, client: EventBridgeClient, event_id: str) -> None:
        self._client = client
        self._event_id = event_id

    def put_events(
        self,
        Entries: Sequence[PutEventsRequestEntryTypeDef],  # noqa: N803 (boto3's argument name)
    ) -> PutEventsResponseTypeDef:
        entries = [
            {**entry, "Detail": "{not json"}
            if json.loads(entry.get("Detail", "{}"))["event_id"] == self._event_id
            else entry
            for entry in Entries
        ]
        return self._client.put_events(Entries=entries)  # type: ignore[arg-type]


def test_an_entry_eventbridge_refuses_reports_only_its_record(aws: Aws) -> None:
    for _ in range(3):
        put(aws, user_to_item(a_user(str(uuid.uuid4()))))
    event = lambda_event(aws)
    records = event["Records"]
    refused_id = translate(records[1], aws.layout)[0].event_id
    client: Any = RefusingOneEvent(aws.events, refused_id)
    publisher = EventBridgePublisher(client, aws.bus)
    use_case = PublishStreamEvents(publisher, DynamoDBStreamRecords(aws.layout))

    answer = lambda_stream.process(event, use_case)

    sequence_number = records[1]["dynamodb"]["SequenceNumber"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": sequence_number}]}
    delivered = [m["detail"]["event_id"] for m in received(aws)]
    assert len(delivered) == 2
    assert refused_id not in delivered


@pytest.mark.usefixtures("lambda_environment")
def test_the_adapters_writes_give_the_same_events_on_either_layout(aws: Aws) -> None:
    stores = dynamodb_stores(aws.dynamodb, aws.layout)
    user_id = str(uuid.uuid4())
    user = a_user(user_id)
    limits = limits_for(user)
    stores.users.add(user, limits)
    stores.users.change_tier(
        change_tier(user, Tier.PRO, T0), dataclasses.replace(limits, revision=1)
    )
    stored(stores, an_assessment(user_id, "attempt-1", status=AssessmentStatus.COMPLETED))
    plan = a_plan(user_id)
    stores.plans.activate(plan, None)
    task = a_task(user_id, plan_id=plan.plan_id)
    stores.calendar.add_tasks([task], [])
    stores.calendar.set_completed(set_completed(task, True, T0), [])
    stores.subscriptions.apply(a_subscription(user_id), None)

    answer = lambda_stream.handler(every_record(aws), None)

    assert answer == {"batchItemFailures": []}
    seen = sorted((m["detail-type"], m["detail"]["user_id"]) for m in received(aws))
    assert seen == sorted(
        (name, user_id)
        for name in (
            "UserRegistered",
            "TierChanged",
            "AssessmentCompleted",
            "PlanActivated",
            "TaskCompleted",
            "SubscriptionChanged",
        )
    )
