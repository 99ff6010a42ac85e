"""AWS Lambda entry point of the stream consumer: DynamoDB stream batches → EventBridge.

The event source mappings (infra/template.py) enable `ReportBatchItemFailures`, so the answer
`{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}` makes Lambda retry from that
record on; an empty list means the whole batch is done. The publisher and its client are built
on the first invocation (which also takes over the logs) and reused by the warm container; the
import stays free of side effects, so tests import it as a library.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from adapters.dynamodb.streams import DynamoDBStreamRecords
from adapters.eventbridge.publisher import EventBridgePublisher
from application.publish_stream_events import PublishStreamEvents, StreamBatch

BatchResponse = dict[str, list[dict[str, str]]]


def handler(event: Mapping[str, Any], context: object) -> BatchResponse:
    """Lambda handler: publish the batch's events, report the record to resume from."""
    return process(event, _consumer())


def process(event: Mapping[str, Any], use_case: PublishStreamEvents) -> BatchResponse:
    """Run the use case on a Lambda DynamoDB-stream event; the partial batch response."""
    batch = StreamBatch(records=tuple(event.get("Records", ())))
    failed = use_case.execute(batch)
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}


@cache
def _consumer() -> PublishStreamEvents:
    import boto3
    from botocore.config import Config

    from infra.lambda_init import start

    settings = start()
    client = boto3.client(
        "events",
        region_name=settings.aws_region,
        config=Config(retries={"mode": "standard", "max_attempts": 5}),
    )
    publisher = EventBridgePublisher(client, settings.event_bus)
    return PublishStreamEvents(publisher, DynamoDBStreamRecords(settings.layout()))
