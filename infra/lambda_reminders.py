"""AWS Lambda entry point of the daily reminder job, invoked by a schedule (EventBridge Scheduler
or a cron rule).

The date to remind about is the event's `"date"` ("YYYY-MM-DD", as a Scheduler target's input
or a manual invocation gives it), else the UTC date of a scheduled event's `"time"`, else today
in UTC. A run with failed publications raises, so the schedule's retry policy runs the job again;
event ids are stable per (date, user), so downstream drops what it already had
(docs/decisions/113-reminder-job-entry-points.md). What the job uses (on AWS its two clients) is
built by the first invocation, which also takes over the logs, and reused by the warm one; never
at import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from application.send_reminders import RemindersSent, SendReminders, SendRemindersRequest
from domain.time import parse_iso
from ports.calendar import CalendarRepository
from ports.clock import Clock
from ports.events import EventPublisher

if TYPE_CHECKING:
    from infra.container import Container

_log = logging.getLogger("flowlogic.reminders")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class RemindersFailed(RuntimeError):
    """Some reminders could not be published; the scheduled invocation should be retried."""


@dataclass(frozen=True, slots=True)
class Job:
    """What the job uses: the calendar it reads, the bus it publishes to, the clock."""

    calendar: CalendarRepository
    events: EventPublisher
    clock: Clock
    # Run before each job: refuses tables of the other layout (LayoutMismatch) on the first
    # one, then costs nothing (docs/decisions/138-refusing-the-wrong-layout.md).
    ready: Callable[[], None] = lambda: None

    @classmethod
    def of(cls, container: Container) -> Job:
        from infra.layout_guard import check_layout

        return cls(
            container.calendar(),
            container.events(),
            container.clock(),
            lambda: check_layout(container),
        )


def handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """Lambda handler: publish the day's reminders; a summary of counts, never of users."""
    return remind(event, _job())


def remind(event: Mapping[str, Any], job: Job) -> dict[str, Any]:
    """Send the reminders of the event's date with `job`; raises when some failed."""
    job.ready()  # tables of the other layout: fail rather than remind nobody
    task_date = reminder_date(event, job.clock.now())
    sent = _send(job, task_date)
    summary = {"date": task_date.isoformat(), "users": sent.users, "failed": sent.failed}
    _log.info("reminders sent", extra=summary)
    if sent.failed:
        raise RemindersFailed(f"{sent.failed} of {sent.users} reminders were not published")
    return summary


def send_reminders(container: Container, task_date: date) -> RemindersSent:
    """Run the reminder job for `task_date` over the container's calendar and event bus."""
    return _send(Job.of(container), task_date)


def _send(job: Job, task_date: date) -> RemindersSent:
    # Built from the two ports it needs, not from `use_cases`: the job has no use for Stripe,
    # S3 or their credentials.
    return SendReminders(job.calendar, job.events).execute(SendRemindersRequest(task_date))


def reminder_date(event: Mapping[str, Any], now: datetime) -> date:
    """The event's "date", else the UTC date of its scheduled "time", else `now`'s UTC date."""
    given = event.get("date") if isinstance(event, Mapping) else None
    if given is not None:
        return parse_date(given)
    scheduled = event.get("time") if isinstance(event, Mapping) else None
    if isinstance(scheduled, str) and scheduled:
        return parse_iso(scheduled).astimezone(UTC).date()
    return now.astimezone(UTC).date()


def parse_date(text: object) -> date:
    """A calendar date written exactly as YYYY-MM-DD; ValueError otherwise."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    return date.fromisoformat(text)


def _job() -> Job:
    """The aws profile's job, else one over the profile's container."""
    from infra.settings import Profile, Settings

    if Settings().profile is Profile.AWS:
        return _aws_job()
    return Job.of(_container())


@cache
def _aws_job() -> Job:
    """The job on AWS, with its two clients created now (no connection is opened): built from
    the container's own builders but without the container, whose import (every use case and
    in-memory adapter) would cost more than the rest of the cold start
    (docs/decisions/153-cold-start.md; a test checks both wire the same adapters)."""
    from adapters.dynamodb.calendar import DynamoDBCalendarRepository
    from adapters.eventbridge.publisher import EventBridgePublisher
    from adapters.system.clock import SystemClock
    from infra import clients
    from infra.lambda_init import start

    settings = start()
    resources = clients.DynamoDBResources(settings)
    events = EventBridgePublisher(clients.events_client(settings), settings.event_bus)
    calendar = DynamoDBCalendarRepository(resources.prepared(), resources.layout())
    return Job(calendar, events, SystemClock(), resources.check)


@cache
def _container() -> Container:
    from infra.container import create_container
    from infra.lambda_init import start

    return create_container(start())
