"""ApplyPaymentEvent and CancelSubscription raced with webhooks delivered duplicated and out of
order; EraseAccount raced against every writer of the user's items; RunMigrations against
itself. Afterwards the tier is the entitlement, nothing of an erased user is left, and each
migration ran once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from adapters.memory.clock import FixedClock
from adapters.memory.payments import FakePaymentGateway
from application.apply_payment_event import ApplyPaymentEvent, ApplyPaymentEventRequest
from application.cancel_subscription import CancelSubscription, CancelSubscriptionRequest
from application.erase_account import EraseAccount, EraseAccountRequest
from application.run_migrations import (
    Migration,
    ReportProgress,
    RunMigrations,
    RunMigrationsRequest,
)
from domain.errors import DomainError, NotFound
from domain.tiers import Tier
from ports.payments import PaymentEvent
from tests.concurrency.invariants import erased_violations, tier_violations
from tests.concurrency.setup import basic_user, no_errors
from tests.concurrency.test_attempts import Attempts
from tests.concurrency.test_calendar import Calendar
from tests.integration.racing import all_at_once
from tests.support.factories import T0
from tests.support.stores import Stores
from tests.unit.application.plan_payment_factories import a_snapshot, an_event

NOW = T0 + timedelta(hours=1)


def test_webhooks_duplicated_and_out_of_order_with_a_cancel_leave_the_entitled_tier(
    stores: Stores, runs: range
) -> None:
    clock = FixedClock(NOW)
    apply = ApplyPaymentEvent(stores.snapshots, stores.subscriptions, clock)
    cancel = CancelSubscription(stores.users, stores.subscriptions, FakePaymentGateway(), clock)

    def race(run: int) -> None:
        user_id = f"payer-{run}"
        basic_user(stores, user_id, Tier.FREE)
        at = [T0 + timedelta(minutes=m) for m in range(4)]
        first, second, customer = f"sub_{run}_a", f"sub_{run}_b", f"cus_{run}"

        def event(number: int, sub: str, tier: Tier, status: str = "active") -> PaymentEvent:
            snapshot = a_snapshot(
                f"evt_{run}_{number}", at[number % 3], status, tier, sub, customer, user_id
            )
            return an_event(snapshot)

        events = [
            event(0, first, Tier.BASIC),
            event(1, first, Tier.PRO),
            event(2, first, Tier.PRO, "canceled"),
            event(4, second, Tier.BASIC),
        ]
        deliveries = [events[2], events[0], events[3], events[1], events[2], events[3]]
        callers: list[Callable[[], object]] = [
            *(lambda e=e: apply.execute(ApplyPaymentEventRequest(e)) for e in deliveries),
            lambda: cancel.execute(CancelSubscriptionRequest(user_id)),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes, NotFound) == []  # nothing to cancel yet: NOT_FOUND
        assert tier_violations(stores, user_id, NOW) == []
        stored = {s.subscription_id: s for s in stores.subscriptions.list_for_user(user_id)}
        assert stored[first].last_event_id == f"evt_{run}_2"
        assert stored[second].last_event_id == f"evt_{run}_4"
        user = stores.users.get(user_id)
        assert user is not None
        assert user.tier is Tier.BASIC

    for run in runs:
        race(run)


def test_an_erasure_during_every_kind_of_write_leaves_nothing_of_the_user(
    stores: Stores, runs: range
) -> None:
    clock = FixedClock(NOW)
    calendar = Calendar(stores, clock)
    attempts = Attempts(stores, clock)
    apply = ApplyPaymentEvent(stores.snapshots, stores.subscriptions, clock)
    erase = EraseAccount(FakePaymentGateway(), stores.account)

    def race(run: int) -> None:
        user_id = f"erased-{run}"
        today = [t for t in calendar.planned(stores, user_id) if t.task_date == NOW.date()]
        attempt = attempts.started(user_id, 2)
        event = an_event(a_snapshot(f"evt_e{run}", T0, customer_id=f"cus_e{run}", user_id=user_id))
        callers: list[Callable[[], object]] = [
            lambda: erase.execute(EraseAccountRequest(user_id)),
            calendar.scheduling(user_id, 5),
            calendar.generating(user_id),
            calendar.setting(today[0], True),
            attempts.completing(user_id, attempt),
            lambda: attempts.started(user_id, 3),
            lambda: apply.execute(ApplyPaymentEventRequest(event)),
        ]
        outcomes = all_at_once(len(callers), lambda n: callers[n]())
        assert no_errors(outcomes, DomainError) == []
        assert erased_violations(stores, user_id) == []
        assert stores.users.get_by_email(f"{user_id}@example.com") is None

    for run in runs:
        race(run)


def test_two_migration_runners_at_once_apply_each_migration_once_in_order(
    stores: Stores, runs: range
) -> None:
    applied: Counter[str] = Counter()
    order: list[str] = []
    lock = threading.Lock()

    def migration(version: str) -> Migration:
        def apply(_report: ReportProgress) -> None:
            with lock:
                applied[version] += 1
                order.append(version)

        return Migration(version, f"step {version}", "tests", apply)

    def race(run: int) -> None:
        versions = [f"{run * 10 + step:04d}" for step in (1, 2, 3)]
        runner = RunMigrations(stores.migrations, [migration(v) for v in versions], FixedClock(NOW))
        outcomes = all_at_once(3, lambda _: runner.execute(RunMigrationsRequest()))
        assert no_errors(outcomes) == []
        assert [applied[v] for v in versions] == [1, 1, 1]
        assert order[-3:] == versions
        assert {m.version for m in stores.migrations.applied()} >= set(versions)

    for run in runs:
        race(run)
