"""The daily reminder job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.events import InMemoryEventPublisher
from application import send_reminders
from application.send_reminders import (
    REMINDER_EVENT,
    SendReminders,
    SendRemindersRequest,
    reminder_event_id,
)
from domain.progress import progress_for
from tests.support.factories import DAY0, T0, a_task
from tests.support.stores import Stores


def _schedule(stores: Stores, user_id: str, exercises: list[str], *, completed: bool) -> None:
    tasks = [a_task(user_id, DAY0, exercise, completed=completed) for exercise in exercises]
    done = len(tasks) if completed else 0
    stores.calendar.add_tasks(tasks, [progress_for(user_id, DAY0, len(tasks), done, T0)])


def test_each_user_with_open_tasks_gets_exactly_one_reminder(
    stores: Stores, events: InMemoryEventPublisher
) -> None:
    _schedule(stores, "ann", ["ankle-circles", "dead-bug", "bird-dog"], completed=False)
    _schedule(stores, "bob", ["ankle-circles"], completed=False)
    _schedule(stores, "cat", ["ankle-circles"], completed=True)

    sent = SendReminders(stores.calendar, events).execute(SendRemindersRequest(DAY0))

    assert sent.users == 2
    assert sent.failed == 0
    assert sorted(e.detail["user_id"] for e in events.published) == ["ann", "bob"]
    assert {e.name for e in events.published} == {REMINDER_EVENT}


def test_a_date_without_open_tasks_sends_nothing(
    stores: Stores, events: InMemoryEventPublisher
) -> None:
    _schedule(stores, "ann", ["ankle-circles"], completed=False)

    sent = SendReminders(stores.calendar, events).execute(
        SendRemindersRequest(DAY0 + timedelta(days=1))
    )

    assert sent.users == 0
    assert events.published == []


def test_users_spread_over_many_pages_are_all_reminded_once(
    stores: Stores, events: InMemoryEventPublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(7):
        _schedule(stores, f"user-{n}", ["ankle-circles", "dead-bug"], completed=False)
    monkeypatch.setattr(send_reminders, "PAGE_SIZE", 2)  # force several pages
    sent = SendReminders(stores.calendar, events).execute(SendRemindersRequest(DAY0))

    assert sent.users == 7
    assert len(events.published) == 7
    assert len({e.event_id for e in events.published}) == 7


def test_running_the_job_twice_publishes_the_same_event_ids(
    stores: Stores, events: InMemoryEventPublisher
) -> None:
    _schedule(stores, "ann", ["ankle-circles"], completed=False)
    job = SendReminders(stores.calendar, events)

    job.execute(SendRemindersRequest(DAY0))
    job.execute(SendRemindersRequest(DAY0))

    assert [e.event_id for e in events.published] == [reminder_event_id(DAY0, "ann")] * 2


def test_events_the_publisher_refuses_are_counted_as_failed(
    stores: Stores, events: InMemoryEventPublisher
) -> None:
    _schedule(stores, "ann", ["ankle-circles"], completed=False)
    _schedule(stores, "bob", ["ankle-circles"], completed=False)
    events.fail_on(reminder_event_id(DAY0, "bob"))

    sent = SendReminders(stores.calendar, events).execute(SendRemindersRequest(DAY0))

    assert (sent.users, sent.failed) == (2, 1)
    assert [e.detail["user_id"] for e in events.published] == ["ann"]
