"""DynamoDB stream records (NEW_AND_OLD_IMAGES) read as changes of entities (SPEC.md 10).

A record is the dict Lambda hands over (or `GetRecords` returns, plus the `eventSourceARN`
Lambda adds); images are in DynamoDB JSON. The layout tells the entity: by the table in the
multi layout, by the item's `entity` attribute in the single one, so both layouts give the
application the same changes and it publishes the same events (decision 123).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.dynamodb.layout import Layout
from application.stream_events import events_of
from ports.events import DomainEvent
from ports.stream_records import Change, Image, UntranslatableRecord

_KINDS = ("INSERT", "MODIFY", "REMOVE")


class DynamoDBStreamRecords:
    """Reads the stream records of one stage's tables in one layout."""

    def __init__(self, layout: Layout) -> None:
        self._layout = layout

    def sequence_number_of(self, record: Mapping[str, Any]) -> str:
        """The record's sequence number: what partial batch responses report."""
        body = record.get("dynamodb")
        number = body.get("SequenceNumber") if isinstance(body, Mapping) else None
        if not isinstance(number, str) or not number:
            raise UntranslatableRecord("the record has no sequence number")
        return number

    def change_of(self, record: Mapping[str, Any]) -> Change:
        """Read a raw stream record; UntranslatableRecord when it is not one of ours."""
        sequence_number = self.sequence_number_of(record)
        source = record.get("eventSourceARN")
        if not isinstance(source, str):
            raise UntranslatableRecord("the record has no eventSourceARN")
        kind = record.get("eventName")
        if kind not in _KINDS:
            raise UntranslatableRecord("the record's eventName is not INSERT, MODIFY or REMOVE")
        body: Mapping[str, Any] = record["dynamodb"]
        old, new = _image(body, "OldImage"), _image(body, "NewImage")
        table = table_of(source)
        entity = self._layout.entity_of(table, new or old)
        if entity is None:
            raise UntranslatableRecord("the record comes from a table or item outside this stage")
        return Change(
            entity=entity,
            kind=kind,
            sequence_number=sequence_number,
            keys=_image(body, "Keys"),
            old=old,
            new=new,
            approximate_at=_moment(body.get("ApproximateCreationDateTime")),
        )


def table_of(source_arn: str) -> str:
    """The physical table of a stream ARN `arn:...:table/<name>/stream/<label>`."""
    _, _, rest = source_arn.partition(":table/")
    physical, _, _ = rest.partition("/stream/")
    return physical


def translate(record: Mapping[str, Any], layout: Layout) -> tuple[DomainEvent, ...]:
    """The domain events of one raw stream record of a stage in `layout`."""
    return events_of(DynamoDBStreamRecords(layout).change_of(record))


def _image(body: Mapping[str, Any], name: str) -> Image:
    image = body.get(name, {})
    if not isinstance(image, Mapping):
        raise UntranslatableRecord(f"{name} is not a map")
    return image


def _moment(value: object) -> datetime | None:
    """Lambda gives epoch seconds; `GetRecords` through boto3 gives a datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None
