"""Many writers at once against the real transaction semantics: the limits hold, one plan wins.

Each scenario runs five times in a row (a fresh set of tables each), to show it is stable.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from adapters.dynamodb.layout import Layout
from application.retry import retry_on_conflict
from domain import catalog
from domain.assessment import start_assessment
from domain.errors import ConcurrentModification
from domain.limits import Admitted, decide_start
from domain.plan import deactivate
from domain.tiers import quota_of
from tests.integration.racing import all_at_once, frequent_switches, stored_attempts
from tests.support.factories import T0, a_plan, a_user, limits_for
from tests.support.stores import Stores

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

USER = "user-1"
NOW = T0 + timedelta(minutes=10)
THREADS = 50
RUNS = range(5)


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    with frequent_switches():
        yield


@pytest.mark.parametrize("run", RUNS)
def test_fifty_simultaneous_starts_admit_exactly_what_the_hourly_quota_allows(
    run: int, stores: Stores, client: DynamoDBClient, layout: Layout
) -> None:
    user = a_user(USER)
    stores.users.add(user, limits_for(user))

    def start(number: int) -> bool:
        # Three tests, so neither attempts-per-test (3) nor the month (3 tests) stops first.
        test = catalog.test_by_id(number % 3 + 1)

        def step() -> bool:
            limits = stores.limits.get(USER)
            assert limits is not None
            decision = decide_start(limits, test.test_id, NOW)
            if isinstance(decision, Admitted):
                attempt = start_assessment(
                    USER, f"a-{run}-{number}", test, decision.attempt_number, "s3://v/x", NOW
                )
                stores.assessments.start(attempt, decision.limits)
                return True
            if decision.must_write:  # a strike
                stores.limits.save(decision.limits)
            return False

        return retry_on_conflict(step)

    outcomes = all_at_once(THREADS, start)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    allowed = quota_of(user.tier).videos_per_hour
    assert outcomes.count(True) == allowed == 5
    assert stored_attempts(client, layout, USER) == allowed
    limits = stores.limits.get(USER)
    assert limits is not None
    assert limits.video_quota_used_hourly == allowed
    assert sum(limits.attempts_per_test.values()) == allowed


@pytest.mark.parametrize("run", RUNS)
def test_two_simultaneous_activations_of_the_same_version_leave_one_active_plan(
    run: int, stores: Stores
) -> None:
    plan = a_plan(USER, version=1, created_at=T0 + timedelta(seconds=run))
    outcomes = all_at_once(2, lambda _: stores.plans.activate(plan, None))
    assert sum(isinstance(o, ConcurrentModification) for o in outcomes) == 1
    assert sum(o is None for o in outcomes) == 1
    assert [p.plan_id for p in stores.plans.list_for_user(USER) if p.is_active] == [plan.plan_id]


@pytest.mark.parametrize("run", RUNS)
def test_two_simultaneous_replacements_of_the_active_plan_leave_one_active_plan(
    run: int, stores: Stores
) -> None:
    first = a_plan(USER, version=1)
    stores.plans.activate(first, None)
    later = T0 + timedelta(hours=1, seconds=run)
    second = a_plan(USER, version=2, created_at=later)
    previous = deactivate(first, later)
    outcomes = all_at_once(2, lambda _: stores.plans.activate(second, previous))
    assert sum(isinstance(o, ConcurrentModification) for o in outcomes) == 1
    plans = stores.plans.list_for_user(USER)
    assert [(p.version, p.is_active) for p in plans] == [(1, False), (2, True)]
    active = stores.plans.get_active(USER)
    assert active is not None
    assert active.plan_id == second.plan_id
