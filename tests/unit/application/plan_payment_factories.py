"""Factories for the plan, calendar, progress and payment use-case tests: stored state."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from adapters.memory.clock import FixedClock
from application.generate_plan import GeneratePlan, GeneratePlanRequest
from application.schedule_calendar import ScheduleCalendar, ScheduleCalendarRequest
from application.set_task_completion import SetTaskCompletion, SetTaskCompletionRequest
from domain.assessment import (
    AssessmentResult,
    QualityThresholds,
    WorkerReport,
    complete,
    start_assessment,
)
from domain.catalog import test_by_id
from domain.limits import new_limits
from domain.plan import Plan
from domain.regions import Region
from domain.scores import Score
from domain.subscription import StripeSubscriptionSnapshot
from domain.tiers import Tier
from domain.user import User, register
from ports.payments import PaymentEvent
from tests.support.stores import Stores

USER = "user-1"

_attempt_numbers = itertools.count(1)


def a_user(
    stores: Stores,
    clock: FixedClock,
    tier: Tier = Tier.BASIC,
    user_id: str = USER,
    timezone: str | None = None,
) -> User:
    """A stored user on `tier`, with the limits row of that tier."""
    user = register(user_id, f"{user_id}@example.com", None, timezone, clock.now())
    user = dataclasses.replace(user, tier=tier)
    stores.users.add(user, new_limits(user_id, tier, clock.now()))
    return user


def a_completed_assessment(
    stores: Stores,
    created_at: datetime,
    test_id: int = 1,
    score: Score = Score.LIMITED,
    areas: Sequence[Region] = (Region.ANKLE,),
    user_id: str = USER,
    assessment_id: str | None = None,
) -> None:
    """A `completed` attempt stored through the repository (start, then finish)."""
    attempt_id = assessment_id or f"a-{next(_attempt_numbers):06d}"
    started = start_assessment(
        user_id, attempt_id, test_by_id(test_id), 1, "s3://videos/k.mp4", created_at
    )
    limits = stores.limits.get(user_id)
    assert limits is not None
    stores.assessments.start(started, limits)
    report = WorkerReport(0.9, 0.9, 0.5, AssessmentResult(score, 0.9, tuple(areas)))
    stores.assessments.finish(complete(started, report, QualityThresholds(), created_at))


def a_plan(stores: Stores, clock: FixedClock, user_id: str = USER) -> Plan:
    """A generated active plan with `must` (ankle) and `should` (knee) exercises."""
    a_completed_assessment(
        stores,
        clock.now() - timedelta(days=1),
        test_id=1,
        areas=(Region.ANKLE, Region.KNEE),
        user_id=user_id,
    )
    generate = GeneratePlan(stores.snapshots, stores.plans, stores.calendar, stores.progress, clock)
    return generate.execute(GeneratePlanRequest(user_id))


def a_streak_history(stores: Stores, clock: FixedClock, done: Sequence[bool]) -> None:
    """A basic user with a plan whose days from today on were done fully (True) or not at all.

    The clock ends on the day after the last one given.
    """
    a_user(stores, clock)
    a_plan(stores, clock)
    scheduler = ScheduleCalendar(
        stores.snapshots, stores.plans, stores.calendar, stores.progress, clock
    )
    completion = SetTaskCompletion(stores.snapshots, stores.calendar, clock)
    tasks = scheduler.execute(ScheduleCalendarRequest(USER, days=len(done) + 1))
    first = tasks[0].task_date
    for offset, all_done in enumerate(done):
        day = first + timedelta(days=offset)
        for task in (t for t in tasks if t.task_date == day and all_done):
            completion.execute(SetTaskCompletionRequest(USER, day, task.task_id, True))
        clock.advance(timedelta(days=1))


def a_snapshot(
    event_id: str,
    created: datetime,
    status: str = "active",
    tier: Tier = Tier.BASIC,
    subscription_id: str = "sub_1",
    customer_id: str = "cus_1",
    user_id: str | None = USER,
    period_end: datetime | None = None,
    cancel_at_period_end: bool = False,
) -> StripeSubscriptionSnapshot:
    """What one webhook event says about a subscription whose period runs 30 days from `created`."""
    return StripeSubscriptionSnapshot(
        subscription_id=subscription_id,
        customer_id=customer_id,
        user_id=user_id,
        stripe_status=status,
        price_tier=tier,
        current_period_start=created,
        current_period_end=period_end or created + timedelta(days=30),
        cancel_at_period_end=cancel_at_period_end,
        canceled_at=created if status == "canceled" else None,
        event_id=event_id,
        event_created=created,
    )


def an_event(snapshot: StripeSubscriptionSnapshot | None, event_id: str = "evt_x") -> PaymentEvent:
    """A verified event carrying the snapshot (its id is the snapshot's event id)."""
    if snapshot is None:
        return PaymentEvent(event_id, "invoice.paid", None)
    return PaymentEvent(snapshot.event_id, "customer.subscription.updated", snapshot)
